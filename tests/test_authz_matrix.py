"""Authorization matrix: every route (from app.url_map) x role x memo state (ASVS 4.1-4.3).

A route missing from EXPECT fails the test, so a new page or endpoint must state who may use it.
Outcomes: "hidden" (404, or 401 / the sign-in page when anonymous), "refused" (403 and the other
4xx a visible record gives for a wrong turn, state or body), "ok". Another organisation's records
are always hidden (404, never 403), and never listed or found by search.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from approval import signatures, workflow
from approval.extensions import db
from approval.models import Memo, User
from approval.services import documents

from . import helpers
from .conftest import PASSWORD, login

ROLES = ["legal", "head", "deputy", "mayor", "records", "admin", "org2.legal", "anonymous"]
STATES = list(helpers.PATHS)
ANY = set(ROLES)
SIGNED_IN = ANY - {"anonymous"}
OWN_ORG = SIGNED_IN - {"org2.legal"}

#: endpoint -> (scope, who may use it). Scopes: public, user (any signed-in), memo (those who may
#: view the memo), role (the named users only, whatever the memo).
EXPECT: dict[str, tuple[str, set[str]]] = {
    "static": ("public", ANY), "health.healthz": ("public", ANY), "auth.login": ("public", ANY),
    "api.openapi": ("public", ANY), "api.issue_token": ("public", ANY),
    # Verification by anyone (approval/signatures): the QR page, the upload page and API, the CA's files.
    "api.verify_pdf": ("public", ANY), "signatures.upload": ("public", ANY), "signatures.by_token": ("public", ANY),
    "signatures.ca_certificate": ("public", ANY), "signatures.ca_crl": ("public", ANY),
    "auth.logout": ("user", SIGNED_IN), "auth.profile": ("user", SIGNED_IN),
    "memos.index": ("user", SIGNED_IN), "memos.inbox": ("user", SIGNED_IN), "memos.mine": ("user", SIGNED_IN),
    "memos.new": ("user", SIGNED_IN),
    "api.me": ("user", SIGNED_IN), "api.list_memos": ("user", SIGNED_IN), "api.inbox": ("user", SIGNED_IN),
    "api.create_memo": ("user", SIGNED_IN), "api.revoke_token": ("user", SIGNED_IN),
    **{e: ("memo", set()) for e in (
        "memos.detail", "memos.edit", "memos.action", "memos.pdf", "plans.show", "plans.save",
        "plans.import_file", "plans.export", "api.get_memo", "api.update_memo", "api.act", "api.memo_pdf",
        "api.get_plan_report", "api.put_plan_report", "archive.file_memo",
        "attachments.upload", "attachments.rename", "attachments.move", "attachments.remove",
        "attachments.download", "attachments.view", "attachments.merged", "api.list_attachments",
        "api.upload_attachment", "api.get_attachment", "api.patch_attachment", "api.delete_attachment",
        "api.print_pdf", "api.memo_signatures")},
    "archive.index": ("user", SIGNED_IN), "archive.register": ("user", SIGNED_IN),
    "archive.register_csv": ("user", SIGNED_IN),
    "plans.template_file": ("user", SIGNED_IN),  # the empty import template: no data of anyone
    "archive.integrity": ("role", {"records", "admin"}),
    "admin.log": ("role", {"records", "admin"}),
    "admin.my_signature": ("user", SIGNED_IN), "admin.my_signature_image": ("user", SIGNED_IN),
    # acting officials: administrators, and the executive for their own position (the probe's
    # appointment covers the mayor); anyone may list what concerns them
    "admin.appointments": ("role", {"admin", "mayor"}), "admin.appointment_end": ("role", {"admin", "mayor"}),
    "api.create_appointment": ("role", {"admin", "mayor"}), "api.end_appointment": ("role", {"admin", "mayor"}),
    "api.list_appointments": ("user", SIGNED_IN),
    **{e: ("role", {"admin"}) for e in (
        "admin.chain", "admin.emblem", "admin.people", "admin.person_activate", "admin.person_deactivate",
        "admin.person_edit", "admin.person_end_sessions", "admin.person_new", "admin.person_reset_password",
        "admin.person_signature",
        "admin.security", "admin.security_acknowledge", "admin.settings",
        "api.list_chains", "api.create_chain", "api.save_chain")},
    **{e: ("user", SIGNED_IN) for e in (
        "notifications.index", "notifications.read", "notifications.read_all", "notifications.settings",
        "api.list_notifications", "api.read_notification", "api.read_all_notifications",
        "api.get_notification_settings", "api.put_notification_settings")},
    **{e: ("role", {"admin"}) for e in (
        "notifications.deliveries", "notifications.retry", "notifications.days_off", "notifications.delete_day_off")},
    # The writing helpers: the memo templates are the administrators'; anyone lists them (API) and sets
    # their own division.
    **{e: ("role", {"admin"}) for e in (
        "writing.templates", "writing.template_new", "writing.template_edit", "writing.template_delete")},
    "writing.own_division": ("user", SIGNED_IN), "api.list_memo_templates": ("user", SIGNED_IN),
}

#: Images that may simply not exist yet (404 for those allowed; still 403/404 for the others).
MAY_BE_ABSENT = {"admin.emblem", "admin.my_signature_image", "admin.person_signature", "api.read_notification",
                 "signatures.by_token"}  # (the probe's token belongs to no document)

#: Who may see the reference memo (written by legal) in each state.
CHAIN = {"legal", "head", "deputy", "mayor", "records", "admin"}
VISIBLE = {state: ({"legal"} if state in ("draft", "cancelled") else CHAIN) for state in STATES}


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = endpoints - set(EXPECT)
    assert not missing, f"routes without an authorization expectation: {sorted(missing)}"


def _outcome(response, api: bool) -> str:
    status = response.status_code
    assert status < 500, (status, response.get_data(as_text=True)[:300])
    if status in (401, 404):
        return "hidden"
    if status in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "hidden"
    if 400 <= status < 500 or (status == 302 and response.headers.get("Location", "").endswith("/profile")):
        return "refused"  # (a forced password change also refuses)
    return "ok"


def _build(rule, values) -> str:
    from flask import current_app

    adapter = current_app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, values, method=None)


def _probe(client, method: str, url: str, token: str | None):
    api = url.startswith("/api/")
    headers = {"Authorization": f"Bearer {token}"} if api and token else {}
    kwargs = {"json": {}} if api and method in ("POST", "PUT", "PATCH") else {"data": {}}
    if api and method == "PATCH":
        headers["If-Match"] = "999999"  # never actually changes anything
    return getattr(client, method.lower())(url, headers=headers, **kwargs)


def _snapshot(memo_id):
    db.session.expire_all()
    memo = db.session.get(Memo, memo_id)
    return (memo.state, memo.version, memo.current_step, len(memo.events), memo.subject)


@pytest.fixture()
def no_pdf(monkeypatch):
    from .attachment_files import pdf

    stub = pdf("stub")  # a real one-page PDF: the merged print reads it
    monkeypatch.setattr(documents, "render", lambda memo: stub)
    monkeypatch.setattr(signatures, "seal_document", lambda *args: None)  # (a stub is no PDF to seal)


@pytest.mark.parametrize("state", STATES)
def test_matrix(app, seeded, no_pdf, state):
    from approval.attachments import service as attachments

    from .attachment_files import pdf

    attachment = attachments.add(db.session, helpers.reference_memo(), helpers.user("legal"), "a.pdf", pdf())
    db.session.commit()
    memo = helpers.memo_in(state)
    memo_id = memo.id
    legal_id = helpers.user("admin").id  # admin routes act on the admin (self-deactivation is refused)
    from approval.services import appointments

    appointment_id = appointments.appoint(db.session, helpers.user("admin"), {
        "kind": "delegated", "holder_id": helpers.user("mayor").id, "stand_in_id": helpers.user("records").id,
        "starts_on": appointments.today().isoformat()}).id
    db.session.commit()
    from approval.writing import service as writing

    template_id = writing.list_templates(db.session, memo.organization_id)[0].id  # (the admin's probe deletes it)
    before = _snapshot(memo_id)
    clients, tokens = {}, {}
    for role in ROLES:
        clients[role] = app.test_client()
        if role != "anonymous":
            assert login(clients[role], role).status_code == 302
            token = clients[role].post("/api/v1/auth/token", json={"username": role, "password": PASSWORD})
            tokens[role] = token.get_json()["token"]
    checked = 0
    for rule in app.url_map.iter_rules():
        scope, allowed = EXPECT[rule.endpoint]
        if scope == "memo":
            allowed = VISIBLE[state]
        url = _build(rule, {a: {"memo_id": memo_id, "user_id": legal_id, "filename": "css/app.css",
                                "fmt": "csv", "notification_id": 999_999, "delivery_id": 999_999,
                                "day_off_id": 999_999, "attachment_id": attachment.id,
                                "token": "no-such-token", "organization_id": memo.organization_id,
                                "appointment_id": appointment_id, "template_id": template_id,
                                "chain_id": helpers.user("admin").organization.default_chain.id}[a]
                                for a in rule.arguments})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.endpoint in ("auth.logout", "api.revoke_token"):
                continue  # they end the probe's own session (tested in test_security)
            for role in ROLES:
                if (role == "admin" and rule.endpoint in ("admin.person_reset_password", "admin.person_deactivate",
                                                          "admin.person_end_sessions")
                        or role == "records" and rule.endpoint == "archive.file_memo"
                        or role == "legal" and rule.endpoint in ("attachments.remove", "api.delete_attachment")):
                    continue  # the admin acting on himself would end the probe's session; the author's
                    # removal really removes (tests/test_attachments.py covers it)
                response = _probe(clients[role], method, url, tokens.get(role))
                outcome = _outcome(response, url.startswith("/api/"))
                response.close()
                checked += 1
                where = f"{method} {url} as {role} ({state})"
                if role in allowed and rule.endpoint in MAY_BE_ABSENT:
                    assert response.status_code in (200, 404), where
                elif role in allowed:
                    assert outcome != "hidden", f"{where}: hidden from someone who may use it"
                    if scope != "memo" and method == "GET":
                        assert outcome == "ok", f"{where}: {response.status_code}"
                elif role == "anonymous":  # (a redirect to /profile ends at the sign-in page too)
                    assert outcome == "hidden" or response.headers.get("Location", "").endswith("/profile"), where
                elif scope == "memo" or role == "org2.legal" and "memo_id" in rule.arguments:
                    assert response.status_code == 404, f"{where}: {response.status_code} (must be 404, never 403)"
                elif "user_id" in rule.arguments and role == "org2.legal":
                    assert outcome in ("hidden", "refused"), (where, response.headers.get("Location"))
                else:
                    assert outcome in ("hidden", "refused") and response.status_code != 401, \
                        f"{where}: {response.status_code}"
    assert _snapshot(memo_id) == before, "a probe changed the memo"
    assert checked > 300


#: (state, action) -> the one user who may take it on the reference memo.
ACTORS = {
    ("draft", "submit"): "legal", ("draft", "cancel"): "legal", ("returned", "submit"): "legal",
    ("returned", "cancel"): "legal", ("review_head", "forward"): "head", ("review_head", "return"): "head",
    ("review_head", "withdraw"): "legal", ("review_deputy", "forward"): "deputy",
    ("review_deputy", "return"): "deputy", ("review_mayor", "order"): "mayor",
    ("review_mayor", "return"): "mayor", ("decided", "archive"): "records",
}


@pytest.mark.parametrize("state", STATES)
def test_action_matrix(seeded, no_pdf, state):
    """Who may take which action in which state: exactly the transition table's answer."""
    memo = helpers.memo_in(state)
    for username in ["legal", "head", "deputy", "mayor", "records", "admin", "org2.legal"]:
        user = helpers.user(username)
        got = {a.value for a in workflow.allowed_actions(memo, user)} if user.organization_id == \
            memo.organization_id else set()
        expected = {action for (s, action), who in ACTORS.items() if s == state and who == username}
        assert got == expected, (state, username, got)


def test_other_organisation_never_listed_or_found(seeded, app):
    memo = helpers.memo_in("decided")
    subject, number = memo.subject, memo.number
    org2_user = db.session.scalar(sa.select(User).where(User.username == "org2.mayor"))
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": org2_user.username, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    for q in (subject[:6], number, "", memo.sections[0]["body"][:5]):
        found = client.get("/api/v1/memos", query_string={"q": q} if q else {}, headers=headers).get_json()
        assert all(item["organization_id"] == org2_user.organization_id for item in found["items"]), q
        assert memo.id not in {item["id"] for item in found["items"]}
    inbox = client.get("/api/v1/inbox", headers=headers).get_json()
    assert memo.id not in {item["id"] for item in inbox["items"]}
    web = app.test_client()
    login(web, "org2.mayor")
    for path in (f"/memos?q={subject[:6]}", "/inbox", f"/archive/?q={subject[:6]}", "/archive/register"):
        page = web.get(path)
        assert page.status_code < 500
        assert f"/memos/{memo.id}\"" not in page.get_data(as_text=True), path
    assert web.get(f"/memos/{memo.id}").status_code == 404
    assert client.get(f"/api/v1/memos/{memo.id}", headers=headers).status_code == 404
