"""Hardening from an independent attack: sessions that end (4), throttling that cannot be turned
against the user (5), throttled confirmations (6), closed by default (10)."""

from __future__ import annotations

import datetime as dt
import os
import stat
import threading

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from approval import config as settings
from approval import create_app
from approval.config import DEV_SECRET
from approval.extensions import db
from approval.models import Event, LoginThrottle, User, UserSession
from approval.services import accounts, organizations, sessions, throttle

from . import helpers
from .conftest import PASSWORD, login

API = "/api/v1"
NAT = "203.0.113.7"  # one office behind one address
ELSEWHERE = "198.51.100.9"


class Clock:
    """The time the throttle and the sessions see; moves only when told."""

    def __init__(self):
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture()
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(throttle, "utcnow", c)
    monkeypatch.setattr(sessions, "utcnow", c)
    return c


@pytest.fixture()
def checks(monkeypatch):
    """Counts every password check of a sign-in (real or against the dummy hash)."""
    counted = {"n": 0}
    lock = threading.Lock()
    real_verify, real_burn = accounts.verify_password, accounts._burn

    def verify(user, password):
        with lock:
            counted["n"] += 1
        return real_verify(user, password)

    def burn(password):
        with lock:
            counted["n"] += 1
        return real_burn(password)

    monkeypatch.setattr(accounts, "verify_password", verify)
    monkeypatch.setattr(accounts, "_burn", burn)
    return counted


@pytest.fixture()
def recorded(monkeypatch):
    """The kinds security_log recorded, in order."""
    from approval.services import security_log

    kinds: list[str] = []
    real = security_log.record

    def record(kind, reason="", **kw):
        from flask import g, has_request_context

        # The log keeps one record of a kind per request (the service and the page may both
        # report the same refusal): count what it keeps.
        if not (has_request_context() and kind in g.get(security_log._SEEN, ())):
            kinds.append(kind)
        real(kind, reason, **kw)

    monkeypatch.setattr(security_log, "record", record)
    return kinds


def post_login(client, username, password=PASSWORD, address=NAT):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


# --- 4: sessions that end -------------------------------------------------------------------

def test_logout_ends_the_session_a_saved_cookie_is_dead(seeded, recorded):
    client = seeded.test_client()
    login(client, "legal")
    saved = client.get_cookie("session").value
    assert client.get("/inbox").status_code == 200
    assert client.post("/logout").status_code == 302
    client.set_cookie("session", saved)  # the cookie an attacker copied before the logout
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "เซสชันนี้สิ้นสุดแล้ว" in page
    assert "session_ended" in recorded
    row = db.session.scalar(sa.select(UserSession))
    assert row.ended_at is not None and row.end_reason == "logout"


def test_the_cookie_carries_only_a_random_session_id_stored_hashed(seeded, users):
    client = seeded.test_client()
    login(client, "legal")
    with client.session_transaction() as s:
        raw = s["_user_id"]
    assert raw != str(users["legal"].id) and ":" not in raw and len(raw) >= 40
    row = db.session.scalar(sa.select(UserSession))
    assert row.token_hash != raw and len(row.token_hash) == 64 and row.user_id == users["legal"].id
    assert row.organization_id == users["legal"].organization_id and row.address
    with client.session_transaction() as s:  # an old-style "id:version" is no one
        s["_user_id"] = f"{users['legal'].id}:{users['legal'].session_version}"
    assert client.get("/inbox").status_code == 302


def test_idle_timeout_and_absolute_lifetime(seeded, clock):
    assert seeded.config["SESSION_IDLE_MINUTES"] == 30 and seeded.config["SESSION_MAX_HOURS"] == 12
    idle = seeded.test_client()
    login(idle, "legal")
    clock.advance(minutes=29)
    assert idle.get("/inbox").status_code == 200
    clock.advance(minutes=29)  # 29 minutes after the last request: still alive
    assert idle.get("/inbox").status_code == 200
    clock.advance(minutes=31)
    response = idle.get("/inbox")
    assert response.status_code == 302
    assert "ไม่มีการใช้งานเกิน 30 นาที" in idle.get(response.headers["Location"]).get_data(as_text=True)

    busy = seeded.test_client()
    login(busy, "head")
    for _ in range(12 * 3 - 1):  # a request every 20 minutes: never idle ...
        clock.advance(minutes=20)
        assert busy.get("/inbox").status_code == 200
    clock.advance(minutes=20)  # ... but 12 hours after sign-in it ends
    response = busy.get("/inbox")
    assert response.status_code == 302
    assert "เกิน 12 ชั่วโมง" in busy.get(response.headers["Location"]).get_data(as_text=True)
    reasons = set(db.session.scalars(sa.select(UserSession.end_reason)))
    assert reasons == {"idle", "expired"}


def test_last_seen_is_written_at_most_once_a_minute(seeded, clock):
    client = seeded.test_client()
    login(client, "legal")
    first = db.session.scalar(sa.select(UserSession.last_seen_at))
    clock.advance(seconds=30)
    client.get("/inbox")
    db.session.expire_all()
    assert db.session.scalar(sa.select(UserSession.last_seen_at)) == first
    clock.advance(seconds=31)
    client.get("/inbox")
    db.session.expire_all()
    assert db.session.scalar(sa.select(UserSession.last_seen_at)) == clock.now


def _admin(app):
    client = app.test_client()
    assert login(client, "admin").status_code == 302
    return client


def test_deactivation_and_admin_reset_end_the_sessions(seeded, users):
    legal, head = seeded.test_client(), seeded.test_client()
    login(legal, "legal")
    login(head, "head")
    admin = _admin(seeded)
    assert admin.post(f"/admin/people/{users['legal'].id}/deactivate").status_code == 302
    assert legal.get("/inbox").status_code == 302
    assert admin.post(f"/admin/people/{users['head'].id}/reset-password").status_code == 200
    assert head.get("/inbox").status_code == 302
    reasons = dict(db.session.execute(sa.select(UserSession.user_id, UserSession.end_reason)
                                      .where(UserSession.ended_at.is_not(None))).all())
    assert reasons == {users["legal"].id: "deactivated", users["head"].id: "password_reset"}


def test_admin_signs_a_person_out_everywhere(seeded, users):
    one, two, api = seeded.test_client(), seeded.test_client(), seeded.test_client()
    login(one, "legal")
    login(two, "legal")
    token = api.post(f"{API}/auth/token", json={"username": "legal", "password": PASSWORD}).get_json()["token"]
    admin = _admin(seeded)
    page = admin.get(f"/admin/people/{users['legal'].id}").get_data(as_text=True)
    assert "ให้ออกจากระบบทุกอุปกรณ์" in page
    assert admin.get(f"/admin/people/{users['legal'].id}/end-sessions").status_code == 405
    response = admin.post(f"/admin/people/{users['legal'].id}/end-sessions", follow_redirects=True)
    assert response.status_code == 200 and "2 เซสชัน" in response.get_data(as_text=True)
    assert one.get("/inbox").status_code == 302 and two.get("/inbox").status_code == 302
    assert api.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert admin.get("/inbox").status_code == 200  # the admin's own session is untouched
    event = db.session.scalar(sa.select(Event).where(Event.action == "admin.end_sessions"))
    assert event.data == {"user_id": users["legal"].id, "username": "legal", "sessions": 2}
    assert login(seeded.test_client(), "legal").status_code == 302  # signing in again works
    other_org = users["org2.legal"]
    assert admin.post(f"/admin/people/{other_org.id}/end-sessions").status_code == 404


def test_admin_sign_out_everywhere_needs_csrf(app, seeded, users, monkeypatch):
    admin = _admin(seeded)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert admin.post(f"/admin/people/{users['legal'].id}/end-sessions").status_code == 400


# --- 5: throttling that cannot be turned against the user ------------------------------------

def test_growing_delays_not_a_lock(seeded, clock, checks):
    assert [throttle.delay_after(n) for n in (4, 5, 6, 7)] == [None] + [dt.timedelta(seconds=s) for s in (1, 2, 4)]
    assert throttle.delay_after(1000) == dt.timedelta(minutes=15)
    client = seeded.test_client()
    for _ in range(5):
        assert post_login(client, "head", "wrong").status_code == 200
    refused = post_login(client, "head", PASSWORD)  # right, but during the delay: unchecked
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "กรุณารอ 1 วินาที" in refused.get_data(as_text=True) and checks["n"] == 5
    clock.advance(seconds=1)
    assert post_login(client, "head", "wrong").status_code == 200  # the 6th: 2 seconds
    assert post_login(client, "head", PASSWORD).headers["Retry-After"] == "2"
    clock.advance(seconds=2)
    assert post_login(client, "head", PASSWORD).status_code == 302  # after the delay, the right password works
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0  # success clears


def test_the_api_answers_429_with_retry_after(seeded, clock):
    client = seeded.test_client()
    for _ in range(5):
        assert client.post(f"{API}/auth/token", json={"username": "head", "password": "x"}).status_code == 401
    response = client.post(f"{API}/auth/token", json={"username": "head", "password": PASSWORD})
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert "กรุณารอ" in response.get_json()["error"]["message"]
    clock.advance(seconds=1)
    assert client.post(f"{API}/auth/token", json={"username": "head", "password": PASSWORD}).status_code == 200


def test_unknown_usernames_are_counted_and_checked_like_known_ones(seeded, clock, checks, recorded):
    client = seeded.test_client()
    for _ in range(5):
        assert post_login(client, "nosuchuser", "x").status_code == 200
    assert post_login(client, "nosuchuser", "x").status_code == 429
    assert post_login(client, " NoSuchUser ", "x").status_code == 429  # the normalised name
    assert checks["n"] == 5
    kinds = recorded
    assert kinds.count("login_failed") == 5 and kinds.count("login_throttled") == 2


def test_the_rightful_user_on_a_known_device_is_not_delayed_by_an_attacker(seeded, clock):
    mine = seeded.test_client()
    assert post_login(mine, "head").status_code == 302  # this browser gets a device cookie
    assert mine.get_cookie("device") is not None
    mine.post("/logout")
    attacker = seeded.test_client()
    for address in (NAT, ELSEWHERE):  # from the office's own NAT address and from elsewhere
        for _ in range(20):
            post_login(attacker, "head", "guess", address=address)
        assert post_login(attacker, "head", PASSWORD, address=address).status_code == 429
    assert post_login(mine, "head", address=NAT).status_code == 302  # during the attacker's delay
    colleague = seeded.test_client()
    assert post_login(colleague, "legal", address=NAT).status_code == 302  # same NAT, other account
    forged = seeded.test_client()
    forged.set_cookie("device", mine.get_cookie("device").value + "x")
    assert post_login(forged, "head", address=NAT).status_code == 429  # a forged device cookie is no device
    other_account = seeded.test_client()
    other_account.set_cookie("device", mine.get_cookie("device").value)  # head's device, deputy's attempts
    for _ in range(5):
        post_login(other_account, "deputy", "guess", address=NAT)
    assert post_login(other_account, "deputy", address=NAT).status_code == 429


def test_the_address_ceiling_is_high_enough_for_an_office_behind_one_nat(seeded):
    assert settings.load_config()["LOGIN_ADDRESS_LIMIT"] == "300 per minute"


def _parallel_guesses(app, n: int, address: str) -> list[int]:
    barrier = threading.Barrier(n)
    statuses: list[int] = [0] * n

    def guess(i):
        client = app.test_client()
        barrier.wait(timeout=60)
        statuses[i] = post_login(client, "head", f"guess-{i}", address=address).status_code

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return statuses


def test_forty_parallel_guesses_get_at_most_five_password_checks(seeded, clock, checks, capsys):
    statuses = _parallel_guesses(seeded, 40, ELSEWHERE)
    with capsys.disabled():
        print(f"\n[{db.engine.dialect.name}] 40 parallel guesses: {checks['n']} password checks, "
              f"{statuses.count(429)} refused with 429")
    assert checks["n"] <= throttle.FREE_FAILURES
    assert statuses.count(200) == checks["n"] and statuses.count(429) == 40 - checks["n"]
    assert db.session.scalar(sa.select(LoginThrottle.failures)) == checks["n"]
    clock.advance(seconds=1)  # after the delay the right password from the attacker's own address works
    assert post_login(seeded.test_client(), "head", address=ELSEWHERE).status_code == 302


def test_forty_parallel_guesses_in_real_time_stay_bounded(seeded, checks):
    """Without a frozen clock a slow machine may let one more through after each delay (1 s, 2 s ...)."""
    statuses = _parallel_guesses(seeded, 40, ELSEWHERE)
    assert checks["n"] <= throttle.FREE_FAILURES + 3 and statuses.count(429) >= 40 - throttle.FREE_FAILURES - 3


# --- 6: confirmation passwords are throttled and recorded ------------------------------------

def test_wrong_signing_confirmations_end_the_web_session(seeded, clock, recorded):
    memo = helpers.memo_in("review_head")
    client = seeded.test_client()
    login(client, "head")
    for i in range(1, 5):
        response = client.post(f"/memos/{memo.id}/action",
                               data={"action": "forward", "comment": "x", "password": f"wrong{i}"})
        assert response.status_code == 403
    response = client.post(f"/memos/{memo.id}/action", data={"action": "forward", "comment": "x", "password": "w5"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "ออกจากระบบเพื่อความปลอดภัย" in client.get("/login").get_data(as_text=True)
    assert client.get("/inbox").status_code == 302
    kinds = recorded
    assert kinds.count("confirmation_failed") == 5 and "session_ended" in kinds
    assert db.session.scalar(sa.select(UserSession.end_reason)) == "confirmation_failed"
    login(client, "head")  # a new session, but the account's confirmations still wait
    response = client.post(f"/memos/{memo.id}/action",
                           data={"action": "forward", "comment": "x", "password": PASSWORD})
    assert response.status_code == 429 and "กรุณารอ" in response.get_data(as_text=True)
    assert "confirmation_throttled" in recorded
    clock.advance(seconds=1)
    response = client.post(f"/memos/{memo.id}/action",
                           data={"action": "forward", "comment": "x", "password": PASSWORD})
    assert response.status_code == 302 and "/memos/" in response.headers["Location"]


def test_wrong_signing_confirmations_revoke_the_api_token(seeded, clock, checks):
    memo = helpers.memo_in("review_head")
    client = seeded.test_client()

    def token():
        return {"Authorization": "Bearer " + client.post(f"{API}/auth/token", json={
            "username": "head", "password": PASSWORD}).get_json()["token"]}

    auth = token()
    start = checks["n"]
    for _ in range(5):
        response = client.post(f"{API}/memos/{memo.id}/actions", headers=auth,
                               json={"action": "forward", "comment": "x", "password": "wrong"})
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "confirmation_failed"
    assert client.get(f"{API}/me", headers=auth).status_code == 401  # revoked at the 5th
    assert checks["n"] - start == 5
    auth = token()
    start = checks["n"]
    for _ in range(95):  # the rest of the 100 guesses: refused, unchecked
        response = client.post(f"{API}/memos/{memo.id}/actions", headers=auth,
                               json={"action": "forward", "comment": "x", "password": "wrong"})
        assert response.status_code == 429 and "Retry-After" in response.headers
    assert checks["n"] == start  # 100 guesses, 5 password checks
    clock.advance(seconds=1)
    response = client.post(f"{API}/memos/{memo.id}/actions", headers=auth,
                           json={"action": "forward", "comment": "x", "password": PASSWORD})
    assert response.status_code == 200


def test_the_profile_current_password_is_throttled_too(seeded, users):
    client = seeded.test_client()
    login(client, "legal")
    new = "รหัสใหม่ที่ยาวพอ-2567"
    for _ in range(4):
        response = client.post("/profile", data={"current_password": "wrong", "new_password": new,
                                                 "confirm_password": new})
        assert response.status_code == 422
    response = client.post("/profile", data={"current_password": "wrong", "new_password": new,
                                             "confirm_password": new})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/profile").status_code == 302
    db.session.expire_all()
    assert accounts.verify_password(db.session.get(User, users["legal"].id), PASSWORD)


# --- 10: closed by default ------------------------------------------------------------------

@pytest.fixture()
def bare_environment(app, monkeypatch, tmp_path):
    """No APP_ENV, no SECRET_KEY: what a forgotten deployment gets. The instance folder is tmp_path."""
    for name in ("APP_ENV", "FLASK_ENV", "SECRET_KEY", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("STORAGE_DIR", str(tmp_path / "files"))
    monkeypatch.setattr(settings, "INSTANCE_DIR", tmp_path / "instance")
    return tmp_path / "instance"


def test_without_app_env_the_app_is_production_with_a_generated_private_key(seeded, bare_environment):
    first = create_app()
    assert first.config["APP_ENV"] == "production" and first.debug is False
    key_file = bare_environment / "secret_key"
    assert first.config["SECRET_KEY"] not in (DEV_SECRET, "") and len(first.config["SECRET_KEY"]) >= 40
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert key_file.read_text().strip() == first.config["SECRET_KEY"]
    assert create_app().config["SECRET_KEY"] == first.config["SECRET_KEY"]  # reused, not regenerated


def test_a_cookie_forged_with_the_old_public_key_opens_nothing(seeded, users, bare_environment):
    app = create_app()
    forger = Flask("forger")
    forger.secret_key = DEV_SECRET
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    admin = users["admin"]
    client = app.test_client()
    for claimed in (f"{admin.id}:{admin.session_version}", str(admin.id)):
        client.set_cookie("session", serializer.dumps({"_user_id": claimed, "_fresh": True}))
        response = client.get("/admin/people")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_development_only_when_asked(monkeypatch, bare_environment):
    monkeypatch.setenv("APP_ENV", "development")
    assert settings.load_config()["APP_ENV"] == "development"
    monkeypatch.delenv("APP_ENV")
    assert settings.load_config()["APP_ENV"] == "production"


@pytest.mark.parametrize("env", ["production", "staging"])
@pytest.mark.parametrize("secret", [DEV_SECRET, "change-me"])
def test_a_known_public_key_is_refused_outside_development(monkeypatch, bare_environment, env, secret):
    monkeypatch.setenv("APP_ENV", env)
    monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def _create(username: str, org_name: str = "admin"):
    from approval.errors import ValidationFailed

    admin = helpers.user(org_name)
    try:
        organizations.create_user(db.session, admin.organization, username=username, full_name="นายทดสอบ ระบบ",
                                  position="เจ้าหน้าที่", roles=["officer"], password="ยาวพอแล้วนะครับ1",
                                  actor=admin)
    except ValidationFailed as exc:
        db.session.rollback()
        return exc.status, exc.message, exc.fields
    raise AssertionError("created")


def test_a_username_taken_in_another_organisation_answers_like_any_refused_name(seeded, users):
    assert users["org2.legal"].organization_id != users["admin"].organization_id
    other_org = _create("org2.legal")
    same_org = _create("legal")
    malformed = _create("สมชาย")
    assert other_org == same_org == malformed
    assert other_org[2]["username"] == organizations.USERNAME_REFUSED
    page = seeded.test_client()
    login(page, "admin")
    answers = []
    for name in ("org2.legal", "legal", "bad name"):
        response = page.post("/admin/people/new", content_type="multipart/form-data", data={
            "username": name, "full_name": "นายทดสอบ ระบบ", "position": "เจ้าหน้าที่", "roles": ["officer"]})
        body = response.get_data(as_text=True)
        answers.append((response.status_code, organizations.USERNAME_REFUSED in body, name in body))
    assert answers[0][:2] == answers[1][:2] == answers[2][:2] == (422, True)


def test_the_cli_answers_a_taken_username_like_a_malformed_one(seeded, users):
    runner = seeded.test_cli_runner()
    org = str(users["admin"].organization_id)
    outputs = []
    for name in ("org2.legal", "legal", "bad name"):
        result = runner.invoke(args=["create-user", "--org", org, "--username", name, "--full-name", "นายทดสอบ ระบบ",
                                     "--position", "เจ้าหน้าที่", "--role", "officer", "--password", "a-good-long-pass"])
        outputs.append((result.exit_code, result.output.replace(name, "NAME")))
    assert outputs[0] == outputs[1] == outputs[2] and outputs[0][0] == 1
