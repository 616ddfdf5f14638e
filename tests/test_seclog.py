"""Issue "Hardening from an independent attack", reproductions 7 and 8.

7. Refused attempts leave a trace: a ``security_event`` row (written in its own
   transaction, so it survives the request's rollback) and a line in the
   ``approval.security`` log; repeated refusals raise one alert that the organisation's
   administrators see until they acknowledge it.
8. Numbers are parsed once (approval.numbers): Unicode digits other than 0-9 and ๐-๙, and
   numbers too large for the database, never answer 500.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import sqlalchemy as sa

from approval import create_app, numbers
from approval.extensions import db
from approval.models import Memo, SecurityEvent, User
from approval.services import security_log
from approval.thai import utcnow
from tests.conftest import PASSWORD, login

API = "/api/v1"


def client_for(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def bearer(app, username: str) -> dict:
    response = app.test_client().post(f"{API}/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def events(kind: str | None = None) -> list[SecurityEvent]:
    db.session.rollback()  # a fresh look: the rows were written on another connection
    query = sa.select(SecurityEvent).order_by(SecurityEvent.id)
    if kind:
        query = query.where(SecurityEvent.kind == kind)
    return list(db.session.scalars(query))


@pytest.fixture()
def memo_id(seeded, users):
    return db.session.scalar(sa.select(Memo.id).where(Memo.author_id == users["legal"].id))


@pytest.fixture()
def in_review(seeded, memo_id):
    """The reference memo submitted: head's turn."""
    legal = client_for(seeded, "legal")
    assert legal.post(f"/memos/{memo_id}/action", data={"action": "submit"}).status_code == 302
    return memo_id


# --- 7: refused attempts leave a trace ---------------------------------------------------

def test_out_of_turn_action_on_the_page_is_recorded(seeded, users, in_review, caplog):
    deputy = client_for(seeded, "deputy")
    with caplog.at_level(logging.WARNING, logger="approval.security"):
        refused = deputy.post(f"/memos/{in_review}/action", data={"action": "forward", "comment": "x"})
    assert refused.status_code == 403
    [row] = events("not_your_turn")
    assert row.user_id == users["deputy"].id and row.username == "deputy"
    assert row.organization_id == users["deputy"].organization_id
    assert row.address == "127.0.0.1" and row.route == "memos.action" and row.method == "POST"
    assert any('"not_your_turn"' in r.getMessage() for r in caplog.records)


def test_out_of_turn_action_on_the_api_is_recorded(seeded, users, in_review):
    refused = seeded.test_client().post(f"{API}/memos/{in_review}/actions", json={"action": "forward"},
                                        headers=bearer(seeded, "mayor"))
    assert refused.status_code == 403
    [row] = events("not_your_turn")
    assert row.username == "mayor" and row.route == "api.act"


def test_invalid_transition_is_recorded_but_a_lost_race_is_not(seeded, users, in_review):
    again = seeded.test_client().post(f"{API}/memos/{in_review}/actions", json={"action": "submit"},
                                      headers=bearer(seeded, "legal"))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_transition"
    assert [e.username for e in events("invalid_transition")] == ["legal"]
    from approval.errors import Conflict

    security_log.record_refusal(Conflict("lost race"))
    assert not events("conflict")


def test_another_organisations_memo_is_recorded_as_not_found(seeded, users, memo_id):
    page = client_for(seeded, "org2.legal").get(f"/memos/{memo_id}")
    assert page.status_code == 404
    api = seeded.test_client().get(f"{API}/memos/{memo_id}", headers=bearer(seeded, "org2.mayor"))
    assert api.status_code == 404
    rows = events("not_found")
    assert [(r.username, r.organization_id) for r in rows] == [
        ("org2.legal", users["org2.legal"].organization_id), ("org2.mayor", users["org2.mayor"].organization_id)]
    assert rows[0].reason == f"memo {memo_id}"


def test_another_organisations_person_is_recorded_as_not_found(seeded, users):
    admin = client_for(seeded, "admin")
    assert admin.get(f"/admin/people/{users['org2.legal'].id}").status_code == 404
    [row] = events("not_found")
    assert row.username == "admin" and row.route == "admin.person_edit"


def test_forbidden_admin_page_is_recorded(seeded):
    assert client_for(seeded, "legal").get("/admin/settings").status_code == 403
    assert [e.username for e in events("forbidden")] == ["legal"]


def test_bad_api_token_is_recorded(seeded):
    response = seeded.test_client().get(f"{API}/me", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401
    [row] = events("bad_token")
    assert row.user_id is None and row.organization_id is None and row.route == "api.me"


def test_csrf_failure_is_recorded(app, seeded):
    strict = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "STORAGE_DIR", "SECRET_KEY")},
                         "APP_ENV": "testing", "TESTING": True, "WTF_CSRF_ENABLED": True,
                         "RATELIMIT_ENABLED": False})
    with strict.app_context():
        response = strict.test_client().post("/login", data={"username": "legal", "password": PASSWORD})
        assert response.status_code == 400
        db.session.remove()
    rows = events("csrf")
    assert len(rows) == 1 and rows[0].route == "auth.login"


def test_a_record_survives_the_callers_rollback(seeded, users):
    """The request's transaction is rolled back on a refusal; the record is not."""
    legal = db.session.get(User, users["legal"].id)
    legal.full_name = "ชื่อที่จะถูกยกเลิก"
    db.session.flush()  # on SQLite this session now holds the write lock
    security_log.record("login_failed", "wrong password", username="legal", organization_id=legal.organization_id)
    db.session.rollback()
    [row] = events("login_failed")
    assert row.username == "legal" and row.reason == "wrong password" and row.user_id is None
    assert db.session.get(User, users["legal"].id).full_name != "ชื่อที่จะถูกยกเลิก"


def test_record_never_raises(seeded, monkeypatch, caplog):
    def broken(rows):
        raise RuntimeError("database gone")

    monkeypatch.setattr(security_log, "_write", broken)
    with caplog.at_level(logging.WARNING, logger="approval.security"):
        security_log.record("login_failed", username="x")
    assert "security log failed" in caplog.text


def test_a_kind_is_recorded_once_per_request(seeded, in_review):
    """The service and the error page both see a refusal: one row."""
    from approval.errors import NotYourTurn

    with seeded.test_request_context(f"/memos/{in_review}/action", method="POST"):
        security_log.record("not_your_turn", "from the service", username="deputy")
        security_log.record_refusal(NotYourTurn("from the page"))
    assert [e.reason for e in events("not_your_turn")] == ["from the service"]


# --- alerts --------------------------------------------------------------------------------

def test_repeated_refusals_raise_one_alert_shown_to_admins_until_acknowledged(seeded, users, memo_id):
    org_id = users["legal"].organization_id
    for _ in range(security_log.ALERT_THRESHOLD + 3):
        security_log.record("confirmation_failed", user=db.session.get(User, users["deputy"].id))
    alerts = events("alert")
    assert [(a.reason, a.username, a.organization_id) for a in alerts] == [("account", "deputy", org_id)]

    admin = client_for(seeded, "admin")
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "มีความพยายามเข้าถึงที่ถูกปฏิเสธซ้ำ ๆ" in page and "deputy" in page
    records_page = client_for(seeded, "records").get("/admin/log").get_data(as_text=True)
    assert "มีความพยายามเข้าถึงที่ถูกปฏิเสธซ้ำ ๆ" not in records_page  # administrators only
    other_admin_view = client_for(seeded, "org2.legal").get("/admin/my-signature").get_data(as_text=True)
    assert "มีความพยายามเข้าถึงที่ถูกปฏิเสธซ้ำ ๆ" not in other_admin_view

    done = admin.post("/admin/security/acknowledge", data={"back": "/admin/settings"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin/settings")
    assert "มีความพยายามเข้าถึงที่ถูกปฏิเสธซ้ำ ๆ" not in admin.get("/admin/settings").get_data(as_text=True)
    [alert] = events("alert")
    assert alert.acknowledged_by == users["admin"].id and alert.acknowledged_at is not None


def test_an_alert_by_address_for_many_accounts(seeded):
    with seeded.test_request_context("/login", method="POST", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        for i in range(security_log.ALERT_THRESHOLD):
            security_log.record("login_failed", username=f"guess{i}")
            from flask import g
            g.pop(security_log._SEEN, None)  # as if each were its own request
    [alert] = events("alert")
    assert alert.reason == "address" and alert.address == "203.0.113.9" and alert.organization_id is None


def test_old_refusals_do_not_count_towards_an_alert(seeded):
    old = utcnow() - security_log.ALERT_WINDOW - dt.timedelta(minutes=1)
    with db.engine.begin() as conn:
        for _ in range(security_log.ALERT_THRESHOLD - 1):
            conn.execute(SecurityEvent.__table__.insert().values(at=old, kind="login_failed", reason="",
                                                                 username="legal"))
    security_log.record("login_failed", username="legal")
    assert not events("alert")


# --- the administrators' page --------------------------------------------------------------

def test_security_page_lists_the_organisations_events_for_admins_only(seeded, users, memo_id):
    client_for(seeded, "org2.legal").get(f"/memos/{memo_id}")  # org2's event
    client_for(seeded, "legal").get("/admin/chain")  # forbidden, this organisation
    security_log.record("login_failed", "unknown user", username="nobody")  # no organisation
    admin = client_for(seeded, "admin")
    page = admin.get("/admin/security")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "บันทึกความปลอดภัย" in text
    assert 'data-kind="forbidden"' in text and "ไม่มีสิทธิ์ดำเนินการ" in text
    assert "org2.legal" not in text and "nobody" not in text
    assert "ไม่แสดงในหน้านี้" in text  # says that organisation-less rows are not shown
    assert client_for(seeded, "records").get("/admin/security").status_code == 403
    assert client_for(seeded, "legal").get("/admin/security").status_code == 403
    assert 'href="/admin/security"' in admin.get("/admin/people").get_data(as_text=True)


def test_security_page_filters(seeded, users):
    org_id = users["legal"].organization_id
    security_log.record("login_failed", username="legal", organization_id=org_id)
    security_log.record("forbidden", username="head", organization_id=org_id)
    admin = client_for(seeded, "admin")
    by_kind = admin.get("/admin/security?kind=login_failed").get_data(as_text=True)
    assert 'data-kind="login_failed"' in by_kind and 'data-kind="forbidden"' not in by_kind
    by_name = admin.get("/admin/security?username=head").get_data(as_text=True)
    assert 'data-kind="forbidden"' in by_name and 'data-kind="login_failed"' not in by_name
    today = dt.date.today()
    future = admin.get(f"/admin/security?from={today + dt.timedelta(days=2)}").get_data(as_text=True)
    assert "data-kind=" not in future
    span = admin.get(f"/admin/security?from={today - dt.timedelta(days=1)}&to={today + dt.timedelta(days=1)}")
    assert span.get_data(as_text=True).count("data-kind=") == 2
    for nonsense in ("?from=²&to=9999-99-99", "?kind=<script>", "?page=99999999999999999999", "?to=9999-12-31"):
        assert admin.get("/admin/security" + nonsense).status_code == 200, nonsense


# --- 8: numbers -----------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("12", 12), (" 7 ", 7), ("๒๕๖๗", 2567), ("0012", 12), (12, 12),
    ("²", None), ("١٢", None), ("1_0", None), ("+1", None), ("-1", None), ("1e3", None), ("", None),
    ("9" * 21, None), ("12\x00", None), (True, None), (None, None), (2**62 + 1, None), (str(2**31), None),
    (str(2**31 - 1), 2**31 - 1),
])
def test_parse_id(raw, expected):
    assert numbers.parse_id(raw) == (expected if expected != 0 else None)


def test_parse_page_and_bounds():
    assert numbers.parse_page("99999999999999999999") == numbers.PAGE_MAX
    assert numbers.parse_page("²") == numbers.parse_page("-3") == numbers.parse_page(None) == 1
    assert numbers.parse_page("0") == 1 and numbers.parse_page("๓") == 3
    assert numbers.parse_year("๒๕๖๗") == 2567 and numbers.parse_year("²⁰²⁴") is None
    assert numbers.parse_year("1999") is None
    assert numbers.parse_index("¹") == -1 and numbers.parse_index("2") == 2
    with pytest.raises(numbers.NumberError, match="ต้องเป็นจำนวนเต็ม"):
        numbers.parse_int("²", 1, 10)


@pytest.mark.parametrize("path", ["/inbox", "/memos", "/archive/", "/admin/log", "/admin/security"])
@pytest.mark.parametrize("page", ["99999999999999999999", "²", "-1", "๒", "1000001"])
def test_huge_or_odd_page_numbers_show_a_page(seeded, path, page):
    admin = client_for(seeded, "admin")
    response = admin.get(f"{path}?page={page}")
    assert response.status_code == 200, (path, page)


def test_a_page_past_the_end_is_the_last_page(seeded):
    response = client_for(seeded, "legal").get("/memos?page=50")
    assert response.status_code == 200
    assert "รายงานผลการดำเนินการ" in response.get_data(as_text=True)  # the reference memo: page 1 = the last


@pytest.mark.parametrize("query", ["year=²", "fiscal_year=¹²", "author=²", "person=" + "9" * 23,
                                   "year=๒๕๖๗", "year=99999999999999999999"])
def test_archive_filters_with_odd_numbers(seeded, query):
    assert client_for(seeded, "records").get(f"/archive/?{query}").status_code == 200


def test_archive_search_with_a_nul(seeded):
    """Found by the page fuzzer: a NUL in the archive's search text was FTS5's "unterminated string"."""
    assert client_for(seeded, "records").get("/archive/?q=%E0%B8%82%00%E0%B8%AD%E0%B8%99").status_code == 200


@pytest.mark.parametrize("year", ["²", "9" * 30, "๒๕๖๗"])
def test_register_year(seeded, year):
    response = client_for(seeded, "records").get(f"/archive/register?year={year}")
    assert response.status_code in (200, 404)


def test_section_command_with_a_superscript(seeded):
    legal = client_for(seeded, "legal")
    data = {"department": "ส", "date": "2024-05-02", "subject": "ทดสอบ", "addressee": "นายก",
            "sections-0-title": "ก", "sections-0-body": "ข", "closing": "จึงเรียน", "section_cmd": "remove:²"}
    assert legal.post("/memos/new", data=data).status_code == 200
    assert legal.post("/memos/new", data={**data, "section_cmd": "up:" + "9" * 40}).status_code == 200


@pytest.mark.parametrize("index", ["²", "๑", "99999999999999999999"])
def test_section_rows_with_odd_indices(seeded, index):
    """WTForms' FieldList checks isdigit() then int(): ``sections-²-title`` was a 500."""
    data = {"department": "ส", "date": "2024-05-02", "subject": "ทดสอบ", "addressee": "นายก",
            "sections-0-title": "ก", "sections-0-body": "ข", f"sections-{index}-title": "ค",
            "closing": "จึงเรียน", "section_cmd": "add"}
    assert client_for(seeded, "legal").post("/memos/new", data=data).status_code == 200


def test_stale_or_garbage_version_on_edit(seeded, memo_id):
    legal = client_for(seeded, "legal")
    data = {"department": "ส", "date": "2024-05-02", "subject": "ทดสอบ", "addressee": "นายก",
            "sections-0-title": "ก", "sections-0-body": "ข", "closing": "จึงเรียน", "version": "²"}
    assert legal.post(f"/memos/{memo_id}/edit", data=data).status_code == 412


def chain_rows(users, **override) -> dict:
    data = {"steps-0-title": "ความเห็น", "steps-0-kind": "opinion", "steps-0-assignee_id": str(users["head"].id),
            "steps-1-title": "คำสั่ง", "steps-1-kind": "order", "steps-1-assignee_id": str(users["mayor"].id)}
    data.update(override)
    return data


@pytest.mark.parametrize("cmd", ["up:¹", "remove:²", "down:" + "9" * 30, "add", "up:", "bogus"])
def test_chain_commands_with_odd_numbers(seeded, users, cmd):
    admin = client_for(seeded, "admin")
    assert admin.post("/admin/chain", data={**chain_rows(users), "chain_cmd": cmd}).status_code == 200


@pytest.mark.parametrize("assignee", ["9" * 23, "²", "¹", str(2**63), "-1", "1.0"])
def test_chain_assignee_ids_that_cannot_be(seeded, users, assignee):
    admin = client_for(seeded, "admin")
    preview = admin.post("/admin/chain", data={**chain_rows(users, **{"steps-0-assignee_id": assignee}),
                                               "chain_cmd": "preview"})
    assert preview.status_code == 200
    saved = admin.post("/admin/chain", data=chain_rows(users, **{"steps-0-assignee_id": assignee}))
    assert saved.status_code == 422, saved.status_code
    assert "ผู้ลงนามต้องเป็นผู้ใช้ที่ใช้งานอยู่ของหน่วยงานนี้" in saved.get_data(as_text=True)


def test_api_numbers_are_422_with_a_thai_message(seeded, token_for):
    headers = {"Authorization": f"Bearer {token_for('legal')}"}
    client = seeded.test_client()
    for query in ("page=²", "page=99999999999999999999", "per_page=¹", "year=²⁰²⁴", "year=1999"):
        response = client.get(f"{API}/memos?{query}", headers=headers)
        assert response.status_code == 422, query
        field = query.split("=")[0]
        assert re.search("ต้องเป็นจำนวนเต็ม", response.get_json()["error"]["fields"][field])
    assert client.get(f"{API}/memos?year=๒๕๖๗&page=๑", headers=headers).status_code == 200
    assert client.get(f"{API}/memos/{'9' * 25}", headers=headers).status_code == 404
