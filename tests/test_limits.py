"""Bounded work per request: memo limits (approval/limits.py) and the PDF render's time budget."""

from __future__ import annotations

import os
import time

import pytest
import sqlalchemy as sa

from approval import limits
from approval.errors import ValidationFailed
from approval.extensions import db
from approval.models import Event, Memo, MemoDocument, MemoState, Step
from approval.services import documents, memos, render_budget
from tests.conftest import PASSWORD, login
from tests.helpers import memo_in
from tests.test_api import Api, assert_error, new_memo

TOO_SLOW = "เอกสารนี้ใช้เวลาจัดหน้านานเกินกำหนด กรุณาลดความยาวของเนื้อหา"


def _fields(**overrides) -> dict:
    data = new_memo(**overrides)
    data["date"] = "2024-06-03"
    return data


# --- limits on what a memo may hold -----------------------------------------------------

def test_many_one_character_lines_are_refused():
    body = "ก\n" * (limits.SECTION_LINES_MAX + 1)
    with pytest.raises(ValidationFailed) as refused:
        memos.validate_fields(_fields(sections=[{"title": "ก", "body": body}]))
    assert "บรรทัด" in refused.value.fields["sections.0.body"]
    ok = "ก\n" * limits.SECTION_LINES_MAX
    assert memos.validate_fields(_fields(sections=[{"title": "ก", "body": ok}]))


def test_a_long_run_without_a_break_is_refused():
    run = "การดำเนินงาน" * (limits.RUN_CHARS_MAX // 12 + 1)
    with pytest.raises(ValidationFailed) as refused:
        memos.validate_fields(_fields(sections=[{"title": "ก", "body": run}]))
    assert "ไม่เว้นวรรค" in refused.value.fields["sections.0.body"]


def test_the_memo_total_and_the_sections_are_bounded():
    body = ("การดำเนินงาน " * 1500)[: limits.SECTION_BODY_MAX]
    sections = [{"title": "ก", "body": body}] * (limits.MEMO_CHARS_MAX // len(body) + 1)
    with pytest.raises(ValidationFailed) as refused:
        memos.validate_fields(_fields(sections=sections))
    assert f"{limits.MEMO_CHARS_MAX:,}" in refused.value.fields["sections"]
    with pytest.raises(ValidationFailed) as refused:
        memos.validate_fields(_fields(sections=[{"title": "ก", "body": "ข"}] * (limits.SECTIONS_MAX + 1)))
    assert refused.value.fields["sections"] == f"มีได้ไม่เกิน {limits.SECTIONS_MAX} หัวข้อ"


def test_a_partial_edit_counts_the_stored_fields_in_the_total(seeded):
    memo = memo_in("draft")
    body = ("การดำเนินงาน " * 1500)[: limits.SECTION_BODY_MAX]
    memo.sections = [{"title": "ก", "body": body}]  # as stored, within the limits
    db.session.flush()
    from tests.helpers import user

    with pytest.raises(ValidationFailed) as refused:
        memos.update_memo(db.session, memo, user("legal"), {"sections": [{"title": "ก", "body": body}] * 2})
    assert "sections" in refused.value.fields


def test_api_refuses_a_memo_beyond_the_limits_with_field_errors(seeded, token_for):
    api = Api(seeded.test_client(), token_for("legal"))
    body = "ก\n" * 10_000
    error = assert_error(api.post("/memos", json=new_memo(sections=[{"title": "ก", "body": body}] * 3)),
                         422, "validation_error")
    assert set(error["fields"]) >= {"sections.0.body"}
    assert "บรรทัด" in error["fields"]["sections.0.body"]


def test_page_form_is_shown_again_with_the_thai_error(seeded):
    client = seeded.test_client()
    assert login(client, "legal").status_code == 302
    response = client.post("/memos/new", data={
        "department": "สำนักปลัด", "date": "2024-05-02", "subject": "ทดสอบ", "addressee": "นายก",
        "sections-0-title": "เรื่องเดิม", "sections-0-body": "ก\n" * (limits.SECTION_LINES_MAX + 1),
        "closing": "จึงเรียนมา", "save": "1",
    })
    assert response.status_code == 422
    assert f"มีได้ไม่เกิน {limits.SECTION_LINES_MAX:,} บรรทัด" in response.get_data(as_text=True)


def test_a_stored_memo_beyond_the_new_limits_still_opens_and_prints(seeded):
    memo = memo_in("draft")
    memo.sections = [{"title": f"หัวข้อ {i}", "body": "ก\nข"} for i in range(limits.SECTIONS_MAX + 5)]
    db.session.commit()
    client = seeded.test_client()
    login(client, "legal")
    assert client.get(f"/memos/{memo.id}").status_code == 200
    response = client.get(f"/memos/{memo.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_comment_lines_are_bounded(seeded):
    memo = memo_in("review_head")
    with pytest.raises(ValidationFailed) as refused:
        from tests.helpers import act

        act(memo, "head", "forward", comment="ก\n" * (limits.COMMENT_LINES_MAX + 1))
    assert "บรรทัด" in refused.value.fields["comment"]


def test_api_refuses_more_plan_rows_than_the_one_limit(seeded, token_for):
    from approval.plan_report import io as plan_io

    assert plan_io.MAX_ROWS == limits.PLAN_ROWS_MAX
    api = Api(seeded.test_client(), token_for("legal"))
    memo_id = api.get("/memos").get_json()["items"][0]["id"]
    row = {"no": 1, "dimension": 1, "name": "a", "status": "waiting"}  # small: 30,000 fit in the body cap
    started = time.perf_counter()
    response = api.put(f"/memos/{memo_id}/plan-report", json={
        "fiscal_year": 2567, "round": 6, "minimum_projects": 1,
        "projects": [dict(row, no=i) for i in range(1, 30_001)]})
    error = assert_error(response, 422, "validation_error")
    assert "รายการโครงการมีได้ไม่เกิน" in error["message"] and "projects" in error["fields"]
    assert time.perf_counter() - started < 5
    ok = api.put(f"/memos/{memo_id}/plan-report", json={
        "fiscal_year": 2567, "round": 6, "minimum_projects": 1,
        "projects": [dict(row, no=i) for i in range(1, limits.PLAN_ROWS_MAX + 1)]})
    assert ok.status_code == 200, ok.get_json()


# --- the render's time budget -----------------------------------------------------------

def _slow_render(memo: dict) -> bytes:
    time.sleep(30)
    return b"%PDF never"


@pytest.fixture()
def slow(monkeypatch, app):
    """Every render takes 30 s; the budget is 0.3 s."""
    import approval.pdf

    monkeypatch.setattr(approval.pdf, "render_memo_pdf", _slow_render)
    monkeypatch.setitem(app.config, "PDF_RENDER_SECONDS", 0.3)


def test_budgeted_bytes_are_those_of_an_in_process_render():
    from approval.pdf import render_memo_pdf
    from approval.plan_report.demo import reference_report
    from tests.pdf.reference_memo import reference_memo

    memo = reference_memo(signed=True)
    assert render_budget.run(render_memo_pdf, memo, 60) == render_memo_pdf(memo)
    memo["plan_report"] = reference_report(digits=True)
    assert render_budget.run(render_memo_pdf, memo, 60) == render_memo_pdf(memo)


def test_the_child_is_killed_at_the_deadline():
    started = time.perf_counter()
    with pytest.raises(render_budget.RenderTooSlow) as refused:
        render_budget.run(_slow_render, {}, 0.2)
    assert time.perf_counter() - started < 3
    assert refused.value.message == TOO_SLOW and refused.value.status == 422


def test_a_crashed_child_is_a_render_failure():
    with pytest.raises(render_budget.RenderCrashed):
        render_budget.run(lambda memo: os._exit(3), {}, 10)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        render_budget.run(lambda memo: 1 / 0, {}, 10)


def test_previews_past_the_budget_answer_a_thai_error(seeded, token_for, slow):
    memo = memo_in("draft")
    client = seeded.test_client()
    login(client, "legal")
    started = time.perf_counter()
    page = client.get(f"/memos/{memo.id}/pdf")
    assert page.status_code == 422 and TOO_SLOW in page.get_data(as_text=True)
    api = Api(seeded.test_client(), token_for("legal"))
    error = assert_error(api.get(f"/memos/{memo.id}/pdf"), 422, "pdf_too_slow")
    assert error["message"] == TOO_SLOW
    assert time.perf_counter() - started < 6


def _recorded(memo_id: int) -> tuple:
    db.session.expire_all()
    memo = db.session.get(Memo, memo_id)
    return (memo.state, memo.version, memo.pending_assignee_id,
            db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.memo_id == memo_id)),
            [(s.status, s.signed_at) for s in db.session.scalars(sa.select(Step).where(Step.memo_id == memo_id))],
            db.session.scalar(sa.select(sa.func.count()).select_from(MemoDocument)
                              .where(MemoDocument.memo_id == memo_id)))


def test_an_order_past_the_budget_is_refused_with_nothing_recorded_api(seeded, token_for, slow, monkeypatch, app):
    memo = memo_in("review_mayor")
    before = _recorded(memo.id)
    mayor = Api(seeded.test_client(), token_for("mayor"))
    error = assert_error(mayor.act(memo.id, "order", decision="approve", comment="อนุมัติ", password=PASSWORD),
                         422, "pdf_too_slow")
    assert error["message"] == TOO_SLOW
    assert _recorded(memo.id) == before and before[0] is MemoState.IN_REVIEW
    monkeypatch.undo()  # a lighter document (here: the real renderer) can then be ordered
    ordered = mayor.act(memo.id, "order", decision="approve", comment="อนุมัติ", password=PASSWORD)
    assert ordered.status_code == 200, ordered.get_json()
    assert _recorded(memo.id)[0] is MemoState.DECIDED


def test_an_order_past_the_budget_is_refused_on_the_page(seeded, slow):
    memo = memo_in("review_mayor")
    before = _recorded(memo.id)
    client = seeded.test_client()
    login(client, "mayor")
    response = client.post(f"/memos/{memo.id}/action", data={
        "action": "order", "decision": "approve", "comment": "อนุมัติ", "password": PASSWORD})
    assert response.status_code == 422
    assert TOO_SLOW in response.get_data(as_text=True)
    assert _recorded(memo.id) == before


def test_budget_zero_renders_in_process(monkeypatch, app, seeded):
    monkeypatch.setitem(app.config, "PDF_RENDER_SECONDS", 0)
    calls = []
    monkeypatch.setattr(render_budget, "can_fork", lambda: calls.append(1) or True)
    memo = memo_in("draft")
    assert documents.render(memo).startswith(b"%PDF")
    assert calls == []


def test_the_plan_report_text_is_bounded(seeded, token_for):
    api = Api(seeded.test_client(), token_for("legal"))
    memo_id = api.get("/memos").get_json()["items"][0]["id"]
    rows = [{"no": i, "dimension": 1, "name": "ก" * 500, "note": "ข" * 500, "status": "waiting"}
            for i in range(1, limits.PLAN_CHARS_MAX // 1000 + 2)]
    response = api.put(f"/memos/{memo_id}/plan-report", json={
        "fiscal_year": 2567, "round": 6, "minimum_projects": 1, "projects": rows})
    error = assert_error(response, 422, "validation_error")
    assert f"{limits.PLAN_CHARS_MAX:,}" in error["fields"]["projects"]
