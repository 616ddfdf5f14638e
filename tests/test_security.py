"""Security and reliability (OWASP ASVS 4.0.3 L2): authentication, sessions, input, faults, headers.

The authorization matrix is in test_authz_matrix.py, the audit chain in test_audit.py, the
fuzzers in test_fuzz_api.py and test_workflow_state_machine.py.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, Type

from approval import create_app
from approval.config import DEV_SECRET, load_config
from approval.errors import ValidationFailed
from approval.extensions import db, limiter
from approval.models import ApiToken, Event, Memo, MemoDocument, MemoState, User
from approval.plan_report import io as plan_io
from approval.plan_report import service as plans
from approval.services import accounts, audit, documents, memos
from approval.services.text import clean_text
from approval.signatures import keys as signing_keys

from . import helpers
from .conftest import PASSWORD, login

API = "/api/v1"


def bearer(client, username: str, password: str = PASSWORD) -> dict:
    response = client.post(f"{API}/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def events_of(memo_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.memo_id == memo_id))


def snapshot(memo_id: int) -> tuple:
    db.session.expire_all()
    memo = db.session.get(Memo, memo_id)
    steps = tuple((s.round, s.seq, s.status.value, s.comment, s.signed_at) for s in memo.steps)
    return memo.state, memo.version, memo.current_step, memo.decision, steps, events_of(memo_id)


# --- 2.4: password storage ----------------------------------------------------------------

def test_production_hasher_is_argon2id_with_asvs_parameters():
    """ASVS 2.4.6 / OWASP: argon2id, m >= 19 MiB, t >= 2 (or m >= 46 MiB, t = 1); salt >= 16 bytes.

    One lane (p=1) and OWASP's first option, the same as the signing keys' wrapping: the
    RFC 9106 low-memory profile (64 MiB, t=3, p=4) cost 7x the CPU on every signing act.
    """
    import importlib

    import approval.services.accounts as module

    fresh = importlib.reload(module)  # the module as the app imports it, before use_fast_hasher
    try:
        hasher = fresh._hasher
        assert hasher.type is Type.ID
        assert hasher.memory_cost >= 19 * 1024  # KiB
        assert hasher.time_cost >= 2 or hasher.memory_cost >= 46 * 1024
        assert hasher.salt_len >= 16 and hasher.hash_len >= 32
        assert hasher.parallelism == 1
        assert (hasher.time_cost, hasher.memory_cost) == (
            signing_keys.DEFAULT_KDF_PARAMS["t"], signing_keys.DEFAULT_KDF_PARAMS["m"])
        encoded = hasher.hash("ทดสอบรหัสผ่าน")
        assert encoded.startswith("$argon2id$v=19$m=")
    finally:
        fresh.use_fast_hasher()  # the suite's cheap parameters again (conftest imported the old module)
        accounts.use_fast_hasher()


def test_password_hashes_are_never_plain_and_rehash_on_weak_parameters(seeded, users):
    legal = users["legal"]
    assert PASSWORD not in legal.password_hash and legal.password_hash.startswith("$argon2id$")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    legal.password_hash = weak
    db.session.commit()
    assert accounts.authenticate(db.session, "legal", PASSWORD) is not None
    assert legal.password_hash != weak  # upgraded to the current parameters at sign-in


@pytest.mark.parametrize("password, ok", [
    ("short", False), ("a" * 129, False), ("newuser-secret", False), ("ยาวพอแล้วนะครับ1", True),
    ("correct horse battery", True),
])
def test_password_policy(password, ok):
    if ok:
        accounts.check_policy(password, "newuser")
    else:
        with pytest.raises(ValidationFailed):
            accounts.check_policy(password, "newuser")


def test_policy_applies_to_password_change(seeded, users):
    client = seeded.test_client()
    login(client, "legal")
    response = client.post("/profile", data={"current_password": PASSWORD, "new_password": "short",
                                             "confirm_password": "short"})
    assert response.status_code == 422
    db.session.expire_all()
    assert accounts.verify_password(db.session.get(User, users["legal"].id), PASSWORD)


def test_policy_applies_to_accounts_the_admin_creates(seeded, users):
    from approval.services import organizations

    org = users["admin"].organization
    for weak in ("short", "newclerk-2567-pass"):
        with pytest.raises(ValidationFailed) as exc:
            organizations.create_user(db.session, org, username="newclerk", full_name="นายทดสอบ ระบบ",
                                      position="เจ้าหน้าที่", roles=["officer"], password=weak,
                                      actor=users["admin"])
        assert "password" in exc.value.fields
    db.session.rollback()
    user = organizations.create_user(db.session, org, username="newclerk", full_name="นายทดสอบ ระบบ",
                                     position="เจ้าหน้าที่", roles=["officer"], password="ยาวพอแล้วนะครับ1")
    assert user.password_hash.startswith("$argon2id$")


# --- 2.2.1: throttling --------------------------------------------------------------------

@pytest.fixture()
def limited(app, seeded, monkeypatch):
    """A second app on the same database with rate limiting on."""
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    other = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "STORAGE_DIR")},
                        "APP_ENV": "testing", "TESTING": True, "WTF_CSRF_ENABLED": False,
                        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                        # the ceiling itself is 300 a minute (test_auth_hardening); 50 keeps these tests short
                        "LOGIN_ADDRESS_LIMIT": "50 per minute"})
    limiter.reset()
    yield other
    limiter.reset()


def test_growing_delay_per_account_and_client_after_five_failures(seeded, users, monkeypatch):
    """No hard lock: the sixth attempt from the same client waits 1 s, unchecked (2.2.1)."""
    from approval.services import throttle

    now = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(throttle, "utcnow", lambda: now)
    for _ in range(5):
        assert accounts.authenticate(db.session, "head", "wrong", client="ip:192.0.2.1") is None
    with pytest.raises(throttle.Throttled) as waiting:
        accounts.authenticate(db.session, "head", PASSWORD, client="ip:192.0.2.1")
    assert waiting.value.status == 429 and waiting.value.retry_after == 1 and "1 วินาที" in waiting.value.message
    assert accounts.authenticate(db.session, "head", PASSWORD, client="ip:192.0.2.2") is not None  # another client
    db.session.commit()  # each sign-in is its own request (its signing key is issued and kept)
    now += dt.timedelta(seconds=1)
    assert accounts.authenticate(db.session, "head", PASSWORD, client="ip:192.0.2.1") is not None


def test_hammering_one_account_does_not_lock_out_a_colleague_on_the_same_address(limited, monkeypatch):
    from approval.services import throttle

    now = dt.datetime.now(dt.UTC)
    monkeypatch.setattr(throttle, "utcnow", lambda: now)  # the delays do not run out mid-test
    client = limited.test_client()
    for _ in range(20):
        response = login(client, "head", "wrong-password")
        assert response.status_code in (200, 429)
    waiting = login(client, "head", PASSWORD)
    assert waiting.status_code == 429 and "กรุณารอ" in waiting.get_data(as_text=True)
    colleague = limited.test_client()
    assert login(colleague, "legal").status_code == 302
    api = limited.test_client()
    for _ in range(10):
        api.post(f"{API}/auth/token", json={"username": "head", "password": "x"})
    assert api.post(f"{API}/auth/token", json={"username": "deputy", "password": PASSWORD}).status_code == 200


def test_web_address_ceiling_counts_failures_only(limited):
    client = limited.test_client()
    for _ in range(60):  # successful sign-ins are not counted (formerly 30 POSTs a minute)
        assert login(client, "legal").status_code == 302
    for i in range(50):
        assert login(client, f"nobody{i}", "x").status_code == 200
    refused = login(client, "legal")
    assert refused.status_code == 429
    assert "บ่อยเกินไป" in refused.get_data(as_text=True)
    other = limited.test_client().post("/login", data={"username": "legal", "password": PASSWORD},
                                       environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert other.status_code == 302


def test_api_address_ceiling_answers_thai_json_429(limited, monkeypatch):
    from approval.services import security_log

    kinds = []
    monkeypatch.setattr(security_log, "record", lambda kind, reason="", **kw: kinds.append((kind, reason)))
    client = limited.test_client()
    for i in range(50):
        assert client.post(f"{API}/auth/token", json={"username": f"n{i}", "password": "x"}).status_code == 401
    response = client.post(f"{API}/auth/token", json={"username": "legal", "password": PASSWORD})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert "บ่อยเกินไป" in response.get_json()["error"]["message"]
    assert ("login_throttled", "address ceiling") in kinds


# --- 3.2-3.4, 3.7.1: sessions -------------------------------------------------------------

def test_session_cookie_flags_and_lifetime(seeded):
    client = seeded.test_client()
    response = login(client, "legal")
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert seeded.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(hours=12)
    assert "Expires=" in cookie  # a permanent session: the 12 hours are enforced by the signed cookie
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))
    assert seeded.config["REMEMBER_COOKIE_DURATION"] == dt.timedelta(0)


def test_secure_cookie_over_https_and_automatically_in_production(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    assert load_config()["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("APP_ENV", "development")
    assert load_config()["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    assert load_config()["SESSION_COOKIE_SECURE"] is True


def test_secure_flag_is_sent(app, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = login(app.test_client(), "legal")
    assert "Secure" in response.headers["Set-Cookie"]


def test_session_expires_after_12_hours(seeded, monkeypatch):
    import time

    from itsdangerous.timed import TimestampSigner

    client = seeded.test_client()
    login(client, "legal")
    assert client.get("/inbox").status_code == 200
    later = int(time.time()) + 12 * 3600 + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    assert client.get("/inbox").status_code == 302  # the signed cookie is too old: sign in again


def test_new_session_at_sign_in_no_fixation(seeded):
    client = seeded.test_client()
    with client.session_transaction() as s:
        s["planted"] = "by-attacker"
    login(client, "legal")
    with client.session_transaction() as s:
        assert "planted" not in s


def test_web_logout_clears_the_session_and_keeps_other_sessions(seeded, users):
    one, two = seeded.test_client(), seeded.test_client()
    login(one, "legal")
    login(two, "legal")
    version = users["legal"].session_version
    assert one.post("/logout").status_code == 302
    assert one.get("/inbox").status_code == 302
    assert two.get("/inbox").status_code == 200  # logout ends this session only
    db.session.expire_all()
    assert db.session.get(User, users["legal"].id).session_version == version


def test_api_token_is_dead_after_delete(seeded):
    client = seeded.test_client()
    auth = bearer(client, "legal")
    assert client.get(f"{API}/me", headers=auth).status_code == 200
    assert client.delete(f"{API}/auth/token", headers=auth).status_code == 204
    assert client.get(f"{API}/me", headers=auth).status_code == 401
    assert client.delete(f"{API}/auth/token", headers=auth).status_code == 401


def test_tokens_are_stored_hashed(seeded):
    client = seeded.test_client()
    token = bearer(client, "legal")["Authorization"].split()[1]
    rows = list(db.session.scalars(sa.select(ApiToken.token_hash)))
    assert token not in rows and all(len(r) == 64 for r in rows)


def test_password_change_ends_other_sessions_and_tokens(seeded):
    web, other, api = seeded.test_client(), seeded.test_client(), seeded.test_client()
    login(web, "legal")
    login(other, "legal")
    auth = bearer(api, "legal")
    new = "รหัสใหม่ที่ยาวพอ-2567"
    response = web.post("/profile", data={"current_password": PASSWORD, "new_password": new,
                                          "confirm_password": new})
    assert response.status_code == 302
    assert web.get("/inbox").status_code == 200  # this session carries the new version
    assert other.get("/inbox").status_code == 302
    assert api.get(f"{API}/me", headers=auth).status_code == 401
    assert login(seeded.test_client(), "legal", new).status_code == 302


# --- 3: signing is a deliberate act ------------------------------------------------------

def test_wrong_signing_password_refuses_and_records_nothing_web(seeded):
    memo = helpers.memo_in("review_head")
    before = snapshot(memo.id)
    client = seeded.test_client()
    login(client, "head")
    response = client.post(f"/memos/{memo.id}/action",
                           data={"action": "forward", "comment": "เห็นควร", "password": "wrong"})
    assert response.status_code == 403
    assert "รหัสผ่านยืนยันการลงนามไม่ถูกต้อง" in response.get_data(as_text=True)
    assert snapshot(memo.id) == before
    ok = client.post(f"/memos/{memo.id}/action",
                     data={"action": "forward", "comment": "เห็นควร", "password": PASSWORD})
    assert ok.status_code == 302
    db.session.expire_all()
    last = db.session.scalars(sa.select(Event).where(Event.memo_id == memo.id).order_by(Event.id.desc())).first()
    # the signing block as signed (see test_signing_snapshot); the step signature's SHA-256 and
    # certificate join the event (approval/signatures)
    assert last.action == "forward" and last.data["confirmed"] is True
    assert set(last.data) == {"confirmed", "signer", "signature_sha256", "certificate_sha256"}
    assert len(last.data["signature_sha256"]) == 64


@pytest.mark.parametrize("action, extra", [("forward", {}), ("return", {}), ("order", {"decision": "approve"})])
@pytest.mark.parametrize("password", [None, "", "wrong", PASSWORD + " "])
def test_wrong_signing_password_refuses_and_records_nothing_api(seeded, action, extra, password):
    state = "review_mayor" if action == "order" else "review_head"
    signer = "mayor" if action == "order" else "head"
    memo = helpers.memo_in(state)
    before = snapshot(memo.id)
    client = seeded.test_client()
    body = {"action": action, "comment": "เห็นควร", **extra}
    if password is not None:
        body["password"] = password
    response = client.post(f"{API}/memos/{memo.id}/actions", json=body, headers=bearer(client, signer))
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "confirmation_failed"
    assert snapshot(memo.id) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemoDocument)) == 0


def test_signing_events_record_confirmed(seeded):
    memo = helpers.memo_in("decided")
    signed = db.session.scalars(sa.select(Event).where(Event.memo_id == memo.id,
                                                       Event.action.in_(["forward", "order"]))).all()
    assert len(signed) == 3 and all(e.data.get("confirmed") is True for e in signed)
    assert all(PASSWORD not in (e.comment + str(e.data)) for e in db.session.scalars(sa.select(Event)))


# --- 5: bad input --------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.mark.parametrize("bad", ["abc\x00def", "abc\ud800def", "\udfff"])
def test_clean_text_refuses_nul_and_lone_surrogates(bad):
    with pytest.raises(ValidationFailed):
        clean_text(bad, "subject")


def test_clean_text_is_nfc_not_nfkc():
    decomposed = "\u0e4d\u0e32"  # nikhahit + sara aa: NFKC would fold into sara am (ำ)
    assert clean_text("น้ำ") == "น้ำ"
    assert clean_text(decomposed) == decomposed
    assert clean_text("\u0e33") == "\u0e33"
    assert clean_text("e\u0301") == "\u00e9"
    assert clean_text("ﬁ") == "ﬁ"  # a compatibility ligature stays (NFKC would make it "fi")


@pytest.mark.parametrize("field", ["subject", "department", "addressee", "closing"])
@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800b"])
def test_memo_services_refuse_unstorable_text(seeded, users, field, bad):
    data = {"department": "สำนักปลัด", "date": "2024-05-02", "subject": "เรื่อง", "addressee": "นายก",
            "sections": [{"title": "เรื่องเดิม", "body": "เนื้อความ"}], "closing": "จึงเรียนมา", field: bad}
    with pytest.raises(ValidationFailed):
        memos.create_memo(db.session, users["legal"], data)
    db.session.rollback()


def test_action_comment_with_nul_is_422_and_nothing_recorded(seeded):
    memo = helpers.memo_in("review_head")
    before = snapshot(memo.id)
    client = seeded.test_client()
    login(client, "head")
    response = client.post(f"/memos/{memo.id}/action",
                           data={"action": "forward", "comment": "a\x00b", "password": PASSWORD})
    assert response.status_code == 422
    assert snapshot(memo.id) == before


def test_web_form_with_nul_is_422_not_500(seeded):
    client = seeded.test_client()
    login(client, "legal")
    from .test_pages import memo_form

    response = client.post("/memos/new", data=memo_form(subject="ขอ\x00อนุมัติ"))
    assert response.status_code == 422


@pytest.mark.parametrize("username, password", [("le\x00gal", PASSWORD), ("legal", "x\x00y"), ("\ud800", "x")])
def test_login_with_unstorable_text_is_a_plain_failure(seeded, username, password):
    assert accounts.authenticate(db.session, username, password) is None
    api = seeded.test_client().post(f"{API}/auth/token", json={"username": username, "password": password})
    assert api.status_code in (401, 422)


@pytest.mark.parametrize("value", ["20240101", "2024-5-2", "2024-05-02T00:00", " 2024-05-02", "๒๐๒๔-๐๕-๐๒",
                                   "2024-W18-4", "2024123"])
def test_memo_date_must_be_yyyy_mm_dd(value):
    with pytest.raises(ValidationFailed) as exc:
        memos.validate_fields({"date": value}, partial=True)
    assert "date" in exc.value.fields
    assert memos.validate_fields({"date": "2024-05-02"}, partial=True)["date"] == dt.date(2024, 5, 2)


@pytest.mark.parametrize("amount", ["9" * 27, "9" * 40, "1." + "0" * 40 + "1", 10**30, "9" * 5000])
def test_parse_amount_never_raises(amount):
    assert plan_io.parse_amount(amount) is None


@pytest.mark.parametrize("value", ["²", "2567²", "٢٥٦٧", "๒๕๖๗", "9" * 5000, "1" * 20, "-2567", "25 67"])
def test_plan_header_numbers_never_crash(value):
    with pytest.raises(ValidationFailed):
        plans.validate_header({"fiscal_year": value, "round": 6, "minimum_projects": 0})
    assert plans.validate_header({"fiscal_year": "2567", "round": "6", "minimum_projects": "15"})["fiscal_year"] == 2567


def test_plan_texts_refuse_nul():
    with pytest.raises(ValidationFailed):
        plans.validate_header({"fiscal_year": 2567, "round": 6, "minimum_projects": 0, "problems": ["a\x00"]})


def test_update_memo_flushes_inside_conflicts_as_409(seeded, users, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    from approval.errors import Conflict

    memo = helpers.reference_memo()
    real_flush = db.session.flush

    def stale(*args, **kwargs):
        raise StaleDataError("someone else went first")

    monkeypatch.setattr(db.session, "flush", stale)
    with pytest.raises(Conflict):
        memos.update_memo(db.session, memo, users["legal"], {"subject": "แก้ไขพร้อมกัน"})
    monkeypatch.setattr(db.session, "flush", real_flush)


def test_body_over_the_limit_is_413_on_pages_and_api(app, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    client = seeded.test_client()
    login(client, "legal")
    from .test_pages import memo_form

    assert client.post("/memos/new", data=memo_form(subject="ก" * 2000)).status_code == 413
    api = seeded.test_client()
    auth = bearer(api, "legal")
    response = api.post(f"{API}/memos", data=b"{" + b" " * 2000 + b"}", headers=auth,
                        content_type="application/json")
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"


def test_malformed_json_is_400_and_unknown_fields_or_actions_422(seeded):
    client = seeded.test_client()
    auth = bearer(client, "legal")
    memo_id = helpers.reference_memo().id
    assert client.post(f"{API}/memos/{memo_id}/actions", data=b'{"action": ', headers=auth,
                       content_type="application/json").status_code == 400
    assert client.post(f"{API}/memos/{memo_id}/actions", json={"action": "approve_everything"},
                       headers=auth).status_code == 422
    assert client.post(f"{API}/memos/{memo_id}/actions", json={"action": "submit", "admin": True},
                       headers=auth).status_code == 422
    assert client.patch(f"{API}/memos/{memo_id}", json={"state": "decided"}, headers=auth).status_code == 422


def test_hostile_html_is_text_in_pages_and_api(seeded):
    memo = helpers.reference_memo()
    memo.subject = HOSTILE
    memo.sections = [{"title": HOSTILE, "body": HOSTILE}]
    db.session.commit()
    client = seeded.test_client()
    login(client, "legal")
    page = client.get(f"/memos/{memo.id}")
    html = page.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html or "&lt;script&gt;" in html
    assert "script-src" not in page.headers["Content-Security-Policy"] or "unsafe-inline" not in \
        page.headers["Content-Security-Policy"]
    api = seeded.test_client()
    assert api.get(f"{API}/memos/{memo.id}", headers=bearer(api, "legal")).get_json()["subject"] == HOSTILE


def test_hostile_html_prints_as_text_in_the_pdf(seeded):
    import pypdfium2 as pdfium

    from approval.pdf.render import render_memo_html
    from approval.services.printing import memo_print_dict

    memo = helpers.reference_memo()
    memo.subject = "<b>ตัวหนา</b><script>x()</script>"
    db.session.commit()
    html, _ = render_memo_html(memo_print_dict(memo))
    assert "&lt;b&gt;ตัวหนา&lt;/b&gt;" in html and "<script>x()" not in html
    doc = pdfium.PdfDocument(documents.render(memo))
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    assert "<b>" in text and "</script>" in text


class _Recorder(BaseHTTPRequestHandler):
    hits: list = []  # noqa: RUF012 (one recorder per test run)

    def do_GET(self):
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_pdf_renderer_fetches_no_local_file_and_no_url(tmp_path):
    """xhtml2pdf's ResourceAccessPolicy: /etc/passwd and http:// are never read while rendering."""
    from approval.pdf.render import html_to_pdf

    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    opened: list[str] = []
    watching = True

    def hook(event, args):
        if watching and event == "open" and isinstance(args[0], str) and (
                args[0].startswith("/etc/") or args[0].startswith(str(tmp_path))):
            opened.append(args[0])
        if watching and event == "socket.connect":
            opened.append(repr(args[1]))

    sys.addaudithook(hook)
    try:
        html = f"""<html><head><meta charset="utf-8">
        <link rel="stylesheet" href="file:///etc/passwd"><link rel="stylesheet" href="{secret}">
        <link rel="stylesheet" href="{url}/style.css"></head><body>
        <p>ทดสอบ</p><img src="/etc/passwd"><img src="file:///etc/passwd"><img src="../../../../etc/passwd">
        <img src="{url}/track.png"><img src="{secret}"></body></html>"""
        try:
            html_to_pdf(html, [], dt.datetime(2024, 5, 2, tzinfo=dt.UTC))
        except RuntimeError:
            pass  # a refused resource may count as an xhtml2pdf error; what matters is nothing was read
    finally:
        watching = False
        server.shutdown()
        server.server_close()
    assert _Recorder.hits == []
    assert opened == []


# --- 7: faults -------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["record_event", "freeze"])
def test_exception_mid_transition_leaves_memo_and_events_as_they_were(seeded, monkeypatch, target):
    memo = helpers.memo_in("review_mayor")
    before = snapshot(memo.id)

    def boom(*args, **kwargs):
        raise RuntimeError("injected fault")

    if target == "record_event":
        monkeypatch.setattr(audit, "record_event", boom)
    else:
        monkeypatch.setattr(documents, "freeze", boom)
    client = seeded.test_client()
    response = client.post(f"{API}/memos/{memo.id}/actions", headers=bearer(client, "mayor"),
                           json={"action": "order", "decision": "approve", "comment": "อนุมัติ",
                                 "password": PASSWORD})
    assert response.status_code == 500 and response.is_json
    assert "Traceback" not in response.get_data(as_text=True)
    monkeypatch.undo()
    assert snapshot(memo.id) == before
    # and the same through the page
    web = seeded.test_client()
    login(web, "mayor")
    monkeypatch.setattr(audit, "record_event", boom)
    page = web.post(f"/memos/{memo.id}/action", data={"action": "order", "decision": "approve",
                                                      "comment": "อนุมัติ", "password": PASSWORD})
    assert page.status_code == 500 and "ระบบขัดข้อง" in page.get_data(as_text=True)
    monkeypatch.undo()
    assert snapshot(memo.id) == before


def test_pdf_failure_at_the_order_records_nothing_and_tells_the_mayor(seeded, monkeypatch):
    memo = helpers.memo_in("review_mayor")
    before = snapshot(memo.id)

    def broken(memo):
        raise RuntimeError("xhtml2pdf could not render the memo (1 errors)")

    monkeypatch.setattr(documents, "render", broken)
    web = seeded.test_client()
    login(web, "mayor")
    page = web.post(f"/memos/{memo.id}/action", data={"action": "order", "decision": "approve",
                                                      "comment": "อนุมัติ", "password": PASSWORD})
    assert page.status_code == 503
    assert "สร้างเอกสาร PDF ไม่สำเร็จ ยังไม่ได้บันทึกคำสั่ง กรุณาลองใหม่" in page.get_data(as_text=True)
    assert snapshot(memo.id) == before
    api = seeded.test_client()
    response = api.post(f"{API}/memos/{memo.id}/actions", headers=bearer(api, "mayor"),
                        json={"action": "order", "decision": "approve", "comment": "อนุมัติ", "password": PASSWORD})
    assert response.status_code == 503
    assert response.get_json()["error"]["message"].startswith("สร้างเอกสาร PDF ไม่สำเร็จ")
    assert snapshot(memo.id) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MemoDocument)) == 0
    monkeypatch.undo()
    assert api.post(f"{API}/memos/{memo.id}/actions", headers=bearer(api, "mayor"),
                    json={"action": "order", "decision": "approve", "comment": "อนุมัติ",
                          "password": PASSWORD}).status_code == 200
    db.session.expire_all()
    assert db.session.get(Memo, memo.id).state is MemoState.DECIDED


@pytest.fixture()
def unreachable(app, tmp_path):
    """An app whose database cannot be reached (nothing listens on port 9)."""
    broken = create_app({"APP_ENV": "testing", "TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                         "RATELIMIT_ENABLED": False, "STORAGE_DIR": str(tmp_path),
                         "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none",
                         "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    yield broken
    with broken.app_context():
        db.engine.dispose()


def test_database_unreachable_is_503_page_and_json(unreachable):
    client = unreachable.test_client()
    page = client.post("/login", data={"username": "legal", "password": PASSWORD})
    assert page.status_code == 503 and page.mimetype == "text/html"
    body = page.get_data(as_text=True)
    assert "ไม่พร้อมให้บริการ" in body and "Traceback" not in body and "psycopg" not in body
    response = client.get(f"{API}/me", headers={"Authorization": "Bearer abc"})
    assert response.status_code == 503 and response.get_json()["error"]["code"] == "unavailable"
    token = client.post(f"{API}/auth/token", json={"username": "legal", "password": PASSWORD})
    assert token.status_code == 503 and "psycopg" not in token.get_data(as_text=True)


def test_database_unreachable_with_a_signed_in_session(seeded, unreachable):
    """The session cookie names a user the page cannot load: still a plain 503 page."""
    client = unreachable.test_client()
    with client.session_transaction() as s:
        s["_user_id"] = "1:0"
        s["_fresh"] = True
    page = client.get("/inbox")
    assert page.status_code == 503 and "ไม่พร้อมให้บริการ" in page.get_data(as_text=True)


# --- 8 / 14: headers and configuration ----------------------------------------------------------

@pytest.mark.parametrize("path", ["/login", f"{API}/openapi.json", "/no-such-page", f"{API}/me"])
def test_security_headers_everywhere(seeded, path):
    response = seeded.test_client().get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[-1] if "script-src" in csp else True
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_authenticated_pages_are_not_cached(seeded):
    client = seeded.test_client()
    login(client, "legal")
    memo = helpers.reference_memo()
    response = client.get(f"/memos/{memo.id}/pdf")
    assert "no-store" in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("env", ["production", "staging"])
@pytest.mark.parametrize("secret", [DEV_SECRET, "changeme"])
def test_refuses_to_start_outside_development_with_a_public_secret(monkeypatch, env, secret):
    monkeypatch.setenv("APP_ENV", env)
    monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_never_runs_in_debug(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-" + "x" * 32)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    app = create_app({"STORAGE_DIR": str(tmp_path)})
    assert app.debug is False and app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_unhandled_errors_show_no_traceback(app, seeded, monkeypatch):
    def boom(*args, **kwargs):
        raise ValueError("secret internals /home/app/approval/services/memos.py")

    monkeypatch.setattr(memos, "list_memos", boom)
    client = seeded.test_client()
    login(client, "legal")
    page = client.get("/memos")
    assert page.status_code == 500 and "secret internals" not in page.get_data(as_text=True)
    api = seeded.test_client()
    response = api.get(f"{API}/memos", headers=bearer(api, "legal"))
    assert response.status_code == 500 and "secret internals" not in response.get_data(as_text=True)
