"""The pages, as a browser sees them: sign-in, inbox, writing, the signing chain, the PDF."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa

from approval import create_app
from approval.extensions import db
from approval.models import Event, Memo, MemoState
from tests.conftest import PASSWORD, login


def client_for(app, username: str):
    client = app.test_client()
    response = login(client, username)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture()
def clients(seeded):
    """username -> a signed-in test client (created on first use)."""
    cache: dict = {}

    def get(username: str):
        if username not in cache:
            cache[username] = client_for(seeded, username)
        return cache[username]

    return get


@pytest.fixture()
def memo_id(seeded, users):
    """The reference memo (a draft by legal, with its plan report)."""
    return db.session.scalar(sa.select(Memo.id).where(Memo.author_id == users["legal"].id))


def memo_state(memo_id: int) -> MemoState:
    db.session.expire_all()
    return db.session.get(Memo, memo_id).state


def act(client, memo_id, action, **data):
    return client.post(f"/memos/{memo_id}/action", data={"action": action, **data})


def memo_form(**overrides) -> dict:
    data = {
        "department": "สำนักปลัด องค์การบริหารส่วนตำบลขอนหาด", "date": "2024-05-02",
        "subject": "ขออนุมัติจัดซื้อวัสดุสำนักงาน", "addressee": "นายกองค์การบริหารส่วนตำบลขอนหาด",
        "sections-0-title": "เรื่องเดิม", "sections-0-body": "ตามที่สำนักปลัดมีความจำเป็นต้องใช้วัสดุ",
        "sections-1-title": "ข้อเสนอ", "sections-1-body": "จึงเห็นควรอนุมัติ",
        "closing": "จึงเรียนมาเพื่อโปรดพิจารณา", "save": "1",
    }
    data.update(overrides)
    return data


def badge(html: str) -> str:
    match = re.search(r'id="inbox-badge">([^<]*)<', html)
    assert match, "no inbox badge in the navigation"
    return match.group(1)


# --- sign-in ----------------------------------------------------------------------------

def test_login_page_and_redirect_to_login(seeded):
    client = seeded.test_client()
    page = client.get("/login")
    assert page.status_code == 200 and "เข้าสู่ระบบ" in page.get_data(as_text=True)
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.location


def test_wrong_password_is_a_thai_message_that_reveals_nothing(seeded):
    client = seeded.test_client()
    for username in ("legal", "nobody-here"):
        response = login(client, username, "wrong-password")
        assert response.status_code == 200
        assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.get_data(as_text=True)


def test_five_failures_make_the_next_attempt_wait_429(seeded, monkeypatch):
    import datetime as dt

    from approval.services import throttle

    now = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(throttle, "utcnow", lambda: now)  # the 1-second delay, however slow the machine
    client = seeded.test_client()
    for _ in range(5):
        login(client, "head", "wrong-password")
    response = login(client, "head")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    assert "กรุณารอ" in response.get_data(as_text=True)  # a delay that says how long, not a lock


@pytest.mark.parametrize("target, expected", [
    ("/memos", "/memos"),
    ("//evil.example/x", "/inbox"),
    ("https://evil.example/", "/inbox"),
    ("/\\evil.example", "/inbox"),
    ("/no-such-page", "/inbox"),
])
def test_next_only_when_a_relative_path_of_this_app(seeded, target, expected):
    client = seeded.test_client()
    response = client.post("/login", data={"username": "legal", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.location == expected


def test_session_is_permanent_and_logout_works(seeded):
    client = client_for(seeded, "legal")
    with client.session_transaction() as session:
        assert session.permanent
    client.post("/logout")
    assert client.get("/inbox").status_code == 302


def test_password_change_logs_out_other_sessions(seeded):
    here, elsewhere = client_for(seeded, "legal"), client_for(seeded, "legal")
    bad = here.post("/profile", data={"current_password": "wrong", "new_password": "x",
                                       "confirm_password": "x"})
    assert bad.status_code == 422 and "รหัสผ่านปัจจุบันไม่ถูกต้อง" in bad.get_data(as_text=True)
    short = here.post("/profile", data={"current_password": PASSWORD, "new_password": "short",
                                         "confirm_password": "short"})
    assert short.status_code == 422 and "อย่างน้อย" in short.get_data(as_text=True)
    new = "a-much-longer-pass-2567"
    ok = here.post("/profile", data={"current_password": PASSWORD, "new_password": new, "confirm_password": new})
    assert ok.status_code == 302
    assert here.get("/inbox").status_code == 200  # this session was renewed
    assert elsewhere.get("/inbox").status_code == 302  # the other one is gone
    assert login(seeded.test_client(), "legal", new).status_code == 302


# --- pages ------------------------------------------------------------------------------

@pytest.mark.parametrize("path, text", [
    ("/inbox", "งานรอพิจารณา"),
    ("/memos", "หนังสือของฉัน"),
    ("/memos?state=draft", "หนังสือของฉัน"),
    ("/memos/new", "เขียนบันทึกข้อความ"),
    ("/memos/{id}", "บันทึกข้อความ"),
    ("/memos/{id}/edit", "แก้ไขบันทึกข้อความ"),
    ("/memos/{id}/plan-report", "รายงานผลการดำเนินการตามแผนปฏิบัติการป้องกันการทุจริต"),
    ("/profile", "เปลี่ยนรหัสผ่าน"),
])
def test_every_page_renders_in_thai(clients, memo_id, path, text):
    response = clients("legal").get(path.format(id=memo_id))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert text in html and "นางสาวอนุศาสน์ อภัยรัตน์" in html and 'lang="th"' in html
    assert "<script>" not in html and "style=" not in html  # nothing the CSP would block


def test_root_redirects_to_inbox(clients):
    response = clients("legal").get("/")
    assert response.status_code == 302 and response.location == "/inbox"


def test_security_headers_on_pages_and_api(seeded):
    client = seeded.test_client()
    for path in ("/login", "/api/v1/me", "/static/css/app.css"):
        response = client.get(path)
        headers = response.headers
        response.close()
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"


def test_error_pages_are_thai_html_and_json_under_api(clients):
    client = clients("legal")
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "ไม่พบ" in page.get_data(as_text=True) and page.mimetype == "text/html"
    assert client.post("/inbox").status_code == 405
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"


def test_filter_my_memos_by_state(clients, memo_id):
    client = clients("legal")
    assert "รายงานผลการดำเนินการ" in client.get("/memos?state=draft").get_data(as_text=True)
    assert "รายงานผลการดำเนินการ" not in client.get("/memos?state=decided").get_data(as_text=True)


# --- writing ----------------------------------------------------------------------------

def test_new_memo_is_stored_and_shown(clients):
    client = clients("legal")
    response = client.post("/memos/new", data=memo_form())
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "ขออนุมัติจัดซื้อวัสดุสำนักงาน" in page and "๒. ข้อเสนอ" in page and "๒ พฤษภาคม ๒๕๖๗" in page


def test_validation_messages_beside_fields_and_nothing_stored(clients):
    client = clients("legal")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Memo))
    response = client.post("/memos/new", data=memo_form(subject="  ", date="not-a-date", **{"sections-1-body": ""}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("invalid-feedback") >= 3
    assert "กรุณากรอกข้อมูล" in html and "วันที่ไม่ถูกต้อง" in html
    assert 'value="ตามที่สำนักปลัดมีความจำเป็นต้องใช้วัสดุ"' in html or "ตามที่สำนักปลัดมีความจำเป็นต้องใช้วัสดุ" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Memo)) == before


def test_sections_can_be_added_moved_and_removed_without_javascript(clients):
    client = clients("legal")
    added = client.post("/memos/new", data=memo_form(section_cmd="add", save=None))
    assert added.status_code == 200 and 'name="sections-2-title"' in added.get_data(as_text=True)
    moved = client.post("/memos/new", data=memo_form(section_cmd="up:1", save=None)).get_data(as_text=True)
    assert moved.index("ข้อเสนอ") < moved.index("เรื่องเดิม")
    removed = client.post("/memos/new", data=memo_form(section_cmd="remove:0", save=None)).get_data(as_text=True)
    assert 'name="sections-1-title"' not in removed and "ข้อเสนอ" in removed


def test_hostile_subject_is_escaped(clients):
    client = clients("legal")
    response = client.post("/memos/new", data=memo_form(subject="<script>alert(1)</script>"))
    html = client.get(response.location).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


def test_post_without_csrf_token_is_refused(app, seeded):
    strict = create_app({**{k: app.config[k] for k in (
        "APP_ENV", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "STORAGE_DIR")},
        "TESTING": True, "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False})
    try:
        client = strict.test_client()
        response = client.post("/login", data={"username": "legal", "password": PASSWORD})
        assert response.status_code == 400
        assert "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง" in response.get_data(as_text=True)
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        ok = client.post("/login", data={"username": "legal", "password": PASSWORD, "csrf_token": token})
        assert ok.status_code == 302
        refused = client.post("/memos/new", data=memo_form())
        assert refused.status_code == 400
    finally:
        with strict.app_context():
            db.session.remove()
            db.engine.dispose()


# --- the chain --------------------------------------------------------------------------

def test_the_reference_chain_in_the_browser(clients, memo_id):
    legal, head, deputy, mayor = (clients(u) for u in ("legal", "head", "deputy", "mayor"))
    assert badge(head.get("/inbox").get_data(as_text=True)) == "๐"

    page = legal.get(f"/memos/{memo_id}").get_data(as_text=True)
    assert "เสนอหนังสือ" in page and 'data-confirm="ยืนยันการยกเลิก' in page
    assert act(legal, memo_id, "submit").status_code == 302
    assert memo_state(memo_id) is MemoState.IN_REVIEW

    # The work arrives: head's badge counts it and the inbox lists it.
    inbox = head.get("/inbox").get_data(as_text=True)
    assert badge(inbox) == "๑" and f"/memos/{memo_id}" in inbox
    page = head.get(f"/memos/{memo_id}").get_data(as_text=True)
    assert "ถึงลำดับของท่าน" in page and "ยืนยันรหัสผ่านเพื่อลงนาม" in page and "เหตุผลที่ส่งคืน" in page

    # A reason is required; a wrong password is refused; nothing changes.
    no_reason = act(head, memo_id, "return", comment="", password=PASSWORD)
    assert no_reason.status_code == 422 and "กรุณากรอกเหตุผลที่ส่งคืน" in no_reason.get_data(as_text=True)
    wrong = act(head, memo_id, "return", comment="แก้ไขวันที่", password="wrong-password")
    assert wrong.status_code == 403 and "รหัสผ่านยืนยันการลงนามไม่ถูกต้อง" in wrong.get_data(as_text=True)
    assert memo_state(memo_id) is MemoState.IN_REVIEW

    assert act(head, memo_id, "return", comment="กรุณาแก้ไขข้อเท็จจริงให้ครบถ้วน", password=PASSWORD).status_code == 302
    assert memo_state(memo_id) is MemoState.RETURNED
    assert badge(head.get("/inbox").get_data(as_text=True)) == "๐"

    # legal edits and resubmits: round two.
    edit = legal.get(f"/memos/{memo_id}/edit").get_data(as_text=True)
    assert "แก้ไขบันทึกข้อความ" in edit
    memo = db.session.get(Memo, memo_id)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', edit).group(1)
    data = memo_form(subject=memo.subject, version=version,
                     **{"sections-0-title": "เรื่องเดิม", "sections-0-body": "แก้ไขแล้ว"})
    assert legal.post(f"/memos/{memo_id}/edit", data=data).status_code == 302
    stale = legal.post(f"/memos/{memo_id}/edit", data=data)  # the same form sent again: stale
    assert stale.status_code == 412 and "มีผู้แก้ไขหนังสือนี้ไปก่อนแล้ว" in stale.get_data(as_text=True)
    assert act(legal, memo_id, "submit").status_code == 302

    assert act(head, memo_id, "forward", comment="เห็นควรนำเรียนนายกฯ เพื่อโปรดทราบ", password=PASSWORD).status_code == 302
    assert act(deputy, memo_id, "forward", comment="เห็นควรทราบ", password=PASSWORD).status_code == 302
    page = mayor.get(f"/memos/{memo_id}").get_data(as_text=True)
    for label in ("ทราบ", "อนุมัติ", "ไม่อนุมัติ", "อื่น ๆ"):
        assert f">{label}</label>" in page
    assert 'data-confirm="ยืนยันการลงนามสั่งการ' in page
    assert act(mayor, memo_id, "order", decision="approve", comment="อนุมัติ", password=PASSWORD).status_code == 302
    assert memo_state(memo_id) is MemoState.DECIDED

    page = legal.get(f"/memos/{memo_id}").get_data(as_text=True)
    assert "สั่งการแล้ว" in page and "รอบที่ ๑" in page and "กรุณาแก้ไขข้อเท็จจริงให้ครบถ้วน" in page
    assert "เห็นควรนำเรียนนายกฯ เพื่อโปรดทราบ" in page and "ลงนามสั่งการ" in page
    assert "ถึงลำดับของท่าน" not in page
    events = db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.memo_id == memo_id))
    assert page.count('class="list-group-item">') >= events  # the timeline lists every event

    pdf = legal.get(f"/memos/{memo_id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert pdf.headers["X-Content-SHA256"] == hashlib.sha256(pdf.data).hexdigest()
    assert 'inline; filename="memo-' in pdf.headers["Content-Disposition"]
    assert legal.get(f"/memos/{memo_id}/pdf").data == pdf.data  # frozen bytes


def test_someone_not_on_turn_gets_no_form_and_is_refused(clients, memo_id):
    act(clients("legal"), memo_id, "submit")
    deputy = clients("deputy")
    page = deputy.get(f"/memos/{memo_id}").get_data(as_text=True)
    assert "ถึงลำดับของท่าน" not in page and 'name="password"' not in page
    refused = act(deputy, memo_id, "forward", comment="ข้ามลำดับ", password=PASSWORD)
    assert refused.status_code == 403
    assert "ยังไม่ถึงลำดับของท่าน" in refused.get_data(as_text=True)
    assert memo_state(memo_id) is MemoState.IN_REVIEW


def test_another_organisations_memo_is_404(clients, memo_id):
    other = clients("org2.legal")
    for path in ("/memos/{id}", "/memos/{id}/edit", "/memos/{id}/pdf", "/memos/{id}/plan-report",
                 "/memos/{id}/plan-report.csv"):
        assert other.get(path.format(id=memo_id)).status_code == 404
    assert act(other, memo_id, "submit").status_code == 404
    assert memo_state(memo_id) is MemoState.DRAFT


def test_draft_pdf_is_a_preview_without_hash(clients, memo_id):
    response = clients("legal").get(f"/memos/{memo_id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "X-Content-SHA256" not in response.headers


def test_a_deactivated_user_is_signed_out(seeded, users):
    client = client_for(seeded, "head")
    assert client.get("/inbox").status_code == 200
    users["head"].is_active_flag = False
    db.session.commit()
    assert client.get("/inbox").status_code == 302
    assert login(seeded.test_client(), "head").status_code == 200  # and cannot sign in again
