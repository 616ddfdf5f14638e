"""The archive: read-only everywhere, the archive page (filters, search, filing), integrity."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa

from approval.extensions import db
from approval.models import Event, Memo, MemoDocument, MemoState, Organization
from approval.services import archive, organizations
from tests.conftest import PASSWORD, login
from tests.helpers import act, memo_in, user


def signed_in(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def bearer(token_for, username):
    return {"Authorization": f"Bearer {token_for(username)}"}


# --- read-only --------------------------------------------------------------------------

def test_an_archived_memo_cannot_be_changed_through_pages_api_or_cli(seeded, token_for, tmp_path):
    memo = memo_in("archived")
    memo_id, version, subject = memo.id, memo.version, memo.subject
    frozen = db.session.scalar(sa.select(MemoDocument.content).where(MemoDocument.memo_id == memo_id))
    events = db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.memo_id == memo_id))

    page = signed_in(seeded, "legal")
    assert page.get(f"/memos/{memo_id}/edit").status_code == 302  # sent back to the memo
    page.post(f"/memos/{memo_id}/edit", data={"subject": "แก้ไขแล้ว", "version": str(version)})
    for who, action in (("legal", "cancel"), ("legal", "submit"), ("records", "archive"), ("mayor", "order")):
        response = signed_in(seeded, who).post(f"/memos/{memo_id}/action",
                                               data={"action": action, "decision": "approve",
                                                     "password": PASSWORD})
        assert response.status_code in (403, 409), (who, action)
    filing = signed_in(seeded, "records").post(f"/archive/{memo_id}/file")
    assert filing.status_code == 303

    api = seeded.test_client()
    headers = bearer(token_for, "legal")
    patch = api.patch(f"/api/v1/memos/{memo_id}", json={"subject": "แก้ไขแล้ว"},
                      headers={**headers, "If-Match": str(version)})
    assert patch.status_code == 409
    assert api.post(f"/api/v1/memos/{memo_id}/actions", json={"action": "cancel"},
                    headers=headers).status_code == 409
    put = api.put(f"/api/v1/memos/{memo_id}/plan-report", headers=headers,
                  json={"fiscal_year": 2567, "round": 6, "minimum_projects": 1, "projects": []})
    assert put.status_code == 409
    records = bearer(token_for, "records")
    assert api.post(f"/api/v1/memos/{memo_id}/actions", json={"action": "archive"},
                    headers=records).status_code == 409

    # The CLI only ever serves the frozen bytes of an archived memo.
    out = tmp_path / "memo.pdf"
    result = seeded.test_cli_runner().invoke(args=["render-memo", str(memo_id), "-o", str(out)])
    assert result.exit_code == 0 and out.read_bytes() == frozen

    db.session.expire_all()
    memo = db.session.get(Memo, memo_id)
    assert (memo.state, memo.version, memo.subject) == (MemoState.ARCHIVED, version, subject)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)
                             .where(Event.memo_id == memo_id)) == events


# --- the archive page -------------------------------------------------------------------

@pytest.fixture()
def decided(seeded):
    """The reference memo, decided (approve), its order text searchable."""
    memo = memo_in("review_mayor")
    act(memo, "mayor", "order", comment="อนุมัติตามเสนอ ให้ดำเนินการขุดลอกคลองต่อไป", decision="approve")
    return memo


def ids(username, **filters):
    items, total, _ = archive.search_archive(db.session, user(username), archive.ArchiveFilters(**filters),
                                             per_page=100)
    assert total == len(items)
    return [m.id for m in items]


def test_archive_filters(decided):
    memo = decided
    mayor, head = user("mayor"), user("head")
    assert ids("records") == [memo.id]
    assert ids("records", state="decided") == [memo.id]
    assert ids("records", state="archived") == []
    assert ids("records", decision="approve") == [memo.id]
    assert ids("records", decision="reject") == []
    assert ids("records", author_id=user("legal").id) == [memo.id]
    assert ids("records", author_id=mayor.id) == []
    assert ids("records", person_id=head.id) == [memo.id]  # on the chain
    assert ids("records", person_id=user("records").id) == []
    # 2 May 2024: calendar year 2567, fiscal year 2567; 15 Oct 2023: calendar 2566, fiscal 2567.
    assert ids("records", year=2567) == [memo.id] and ids("records", fiscal_year=2567) == [memo.id]
    db.session.execute(sa.update(Memo).where(Memo.id == memo.id).values(date=dt.date(2023, 10, 15))
                       .execution_options(synchronize_session=False))
    db.session.commit()
    assert ids("records", year=2567) == [] and ids("records", year=2566) == [memo.id]
    assert ids("records", fiscal_year=2567) == [memo.id] and ids("records", fiscal_year=2566) == []


def test_archive_total_is_counted_up_to_the_cap(decided, monkeypatch):
    """The archive counts at most search.COUNT_CAP + 1 memos (shown "more than"); the page is the same."""
    from approval.services import search

    monkeypatch.setattr(search, "COUNT_CAP", 0)
    items, total, hashes = archive.search_archive(db.session, user("records"), archive.ArchiveFilters())
    assert total == 1 and [m.id for m in items] == [decided.id] and decided.id in hashes
    items, total, _ = archive.search_archive(db.session, user("records"), archive.ArchiveFilters(state="archived"))
    assert (items, total) == ([], 0)


def test_archive_search_reaches_number_body_order_and_projects(decided):
    memo = decided
    for q in (memo.number, "เจตจำนงสุจริต", "ขุดลอกคลอง", "เศรษฐกิจพอเพียง", "คล"):
        assert ids("records", q=q) == [memo.id], q
    assert ids("records", q="ไม่มีคำนี้เลย") == []
    assert ids("org2.legal", q="ขุดลอกคลอง") == []  # another organisation


def test_archive_visibility_follows_visible_query(decided):
    org = db.session.get(Organization, user("legal").organization_id)
    organizations.create_user(db.session, org, username="clerk", full_name="นายใหม่ ไม่เกี่ยว",
                              position="เจ้าพนักงาน", roles=["officer"], password=PASSWORD,
                              enforce_policy=False)
    db.session.commit()
    for who in ("records", "mayor", "admin", "legal", "head"):
        assert ids(who) == [decided.id], who
    assert ids("clerk") == []
    assert ids("org2.mayor") == []


def test_archive_page_lists_pdf_and_hash_and_files(seeded, decided):
    memo = decided
    sha = hashlib.sha256(memo.document.content).hexdigest()
    records = signed_in(seeded, "records")
    page = records.get("/archive/", query_string={"q": "ขุดลอกคลอง", "fiscal_year": "2567"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert sha in html and f"/memos/{memo.id}/pdf" in html and "จัดเก็บเข้าแฟ้ม" in html
    assert memo.number in html
    legal_html = signed_in(seeded, "legal").get("/archive/").get_data(as_text=True)
    assert sha in legal_html and "จัดเก็บเข้าแฟ้ม" not in legal_html
    assert signed_in(seeded, "legal").post(f"/archive/{memo.id}/file").status_code == 303
    db.session.expire_all()
    assert db.session.get(Memo, memo.id).state is MemoState.DECIDED  # not the records officer

    response = records.post(f"/archive/{memo.id}/file", data={"back": "/archive/?state=decided"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/archive/?state=decided")
    db.session.expire_all()
    memo = db.session.get(Memo, memo.id)
    assert memo.state is MemoState.ARCHIVED and memo.archived_at is not None
    assert db.session.scalar(sa.select(Event.action).where(Event.memo_id == memo.id)
                             .order_by(Event.id.desc()).limit(1)) == "archive"
    html = records.get("/archive/", query_string={"state": "archived"}).get_data(as_text=True)
    assert sha in html and "จัดเก็บเข้าแฟ้ม" not in html
    evil = records.post(f"/archive/{memo.id}/file", data={"back": "//evil.example/"})
    assert evil.status_code == 303 and "evil" not in evil.headers["Location"]


@pytest.mark.parametrize("query", [{"state": "draft"}, {"decision": "maybe"}, {"year": "99999"},
                                   {"author": "abc"}, {"page": "-3"}, {"q": "x" * 500}])
def test_archive_page_survives_odd_filters(seeded, query):
    response = signed_in(seeded, "records").get("/archive/", query_string=query)
    assert response.status_code == 200


def test_archive_pages_need_sign_in(seeded):
    client = seeded.test_client()
    for path in ("/archive/", "/archive/register", "/archive/register.csv", "/archive/integrity"):
        assert client.get(path).status_code == 302, path


# --- integrity --------------------------------------------------------------------------

def test_verify_archive_reports_each_tampered_row(seeded, decided):
    memo = decided
    runner = seeded.test_cli_runner()
    intact = runner.invoke(args=["verify-archive"])
    assert intact.exit_code == 0, intact.output
    assert "ครบถ้วน" in signed_in(seeded, "records").get("/archive/integrity").get_data(as_text=True)

    event_id = db.session.scalar(sa.select(Event.id).where(Event.memo_id == memo.id, Event.action == "forward")
                                 .limit(1))
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE event SET comment = 'แก้ไขย้อนหลัง' WHERE id = :id"), {"id": event_id})
        conn.execute(sa.text("UPDATE memo_document SET content = :c WHERE memo_id = :m"),
                     {"c": b"%PDF-1.4 forged", "m": memo.id})
    db.session.expire_all()

    result = runner.invoke(args=["verify-archive"])
    assert result.exit_code == 1
    assert f"event memo {memo.id}: event {event_id}" in result.output
    assert f"document memo {memo.id}" in result.output
    # (the signatures' own findings -- approval/signatures -- come on top: the step signature's
    # event and the PDF no longer hold)
    problems = archive.verify_archive(db.session)
    assert sorted(p.kind for p in problems if p.kind != "signature") == ["document", "event"]
    assert {p.memo_id for p in problems} == {memo.id}
    assert archive.verify_archive(db.session, user("org2.legal").organization_id) == []

    page = signed_in(seeded, "records").get("/archive/integrity")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "integrity-broken" in html and str(event_id) in html
    assert signed_in(seeded, "legal").get("/archive/integrity").status_code == 403
    assert signed_in(seeded, "org2.legal").get("/archive/integrity").status_code == 403
