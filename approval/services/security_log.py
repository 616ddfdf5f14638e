"""The security log: every refused attempt, one structured line and one row each.

Interface shared by the pages, the API and the services; see issue "Hardening": failed
logins, throttled logins, failed signing confirmations, out-of-turn 403/409, another
organisation's 404, CSRF failures, bad API tokens. :func:`record` writes one JSON line to
the ``approval.security`` logger and one ``security_event`` row in its OWN short
transaction (a separate connection): the request's transaction is usually rolled back on a
refusal, and the row must survive it. It never raises into the request.

On SQLite a connection that has written holds the database's one write lock; a row
recorded while the caller's session holds it waits, in ``session.info``, until that
transaction ends (commit, rollback or close), then is written. On PostgreSQL it is written
at once.

Repeated refusals -- ``ALERT_THRESHOLD`` against one account or from one address within
``ALERT_WINDOW`` -- add one ``alert`` row per window; the organisation's administrators see
a banner on the admin pages until one of them acknowledges it. (No e-mail: users have no
e-mail address yet; the notification issue adds both.)
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import sqlalchemy as sa
from flask import Flask, g, has_app_context, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import SecurityEvent
from ..thai import utcnow

log = logging.getLogger("approval.security")

#: The kinds of refused attempt recorded, with their Thai labels for the admin page.
KIND_LABELS = {
    "login_failed": "เข้าสู่ระบบไม่สำเร็จ",
    "login_throttled": "ระงับการเข้าสู่ระบบชั่วคราว (พยายามหลายครั้ง)",
    "confirmation_failed": "ยืนยันรหัสผ่านเพื่อลงนามไม่สำเร็จ",
    "confirmation_throttled": "ระงับการยืนยันรหัสผ่านชั่วคราว",
    "not_your_turn": "ดำเนินการเมื่อยังไม่ถึงลำดับ",
    "invalid_transition": "ดำเนินการที่สถานะของหนังสือไม่อนุญาต",
    "forbidden": "ไม่มีสิทธิ์ดำเนินการ",
    "not_found": "เรียกข้อมูลที่ไม่มีหรือไม่มีสิทธิ์เข้าถึง",
    "csrf": "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง (CSRF)",
    "session_ended": "เซสชันสิ้นสุด",
    "bad_token": "โทเค็น API ไม่ถูกต้องหรือหมดอายุ",
    "alert": "แจ้งเตือน: ถูกปฏิเสธซ้ำหลายครั้ง",
}
KINDS = frozenset(KIND_LABELS)
#: What an alert is about: its ``reason`` is one of these, its username or address the subject.
ALERT_SCOPES = {"account": "บัญชีผู้ใช้", "address": "เครื่อง (ที่อยู่ IP)"}
ALERT_THRESHOLD = 10
ALERT_WINDOW = dt.timedelta(minutes=10)
#: DomainError codes that are refusals worth recording when a page or the API answers them.
#: ("conflict" is a lost race, not an attack; 404s are recorded where the id is looked up.)
REFUSAL_CODES = frozenset({"not_your_turn", "forbidden", "confirmation_failed", "invalid_transition"})

_PENDING = "security_log.pending"
_SEEN = "_security_log_kinds"


def record(kind: str, reason: str = "", *, user=None, organization_id: int | None = None,
           username: str | None = None, address: str | None = None, route: str | None = None) -> None:
    """Record one refused attempt; never raises (a failing log must not turn a 403 into a 500).

    Inside a request, the address, the route and the method come from it, and the user is
    the signed-in one (page session or API token) unless given. One kind is recorded once
    per request (a confirmation failure seen by the service and by the error page is one).
    """
    try:
        row = _row(kind, reason, user, organization_id, username, address, route)
        log.warning(json.dumps({k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in row.items()},
                               ensure_ascii=False, sort_keys=True))
        if has_request_context():
            seen = g.setdefault(_SEEN, set())
            if kind in seen:
                return
            seen.add(kind)
        if has_app_context():
            _store_or_defer(row)
    except Exception:  # the refusal's own answer matters more than its record
        log.exception("security log failed")


def record_refusal(exc) -> None:
    """Record a DomainError that refuses an attempt (403s, an invalid transition); others not."""
    if exc.status == 403 or exc.code in REFUSAL_CODES:
        record(exc.code if exc.code in KINDS else "forbidden", exc.message)


def init_app(app: Flask) -> None:
    @app.before_request
    def _one_record_per_kind_per_request():
        g.pop(_SEEN, None)  # a test client may keep one `g` across requests


# --- the row -----------------------------------------------------------------------------

def _cut(value, length: int) -> str | None:
    return None if value is None else str(value)[:length]


def _request_user():
    """The signed-in user of this request (API token or page session), if any."""
    api_user = g.get("api_user")
    if api_user is not None:
        return api_user
    if request.path.startswith("/api/"):
        return None
    from flask_login import current_user

    return current_user._get_current_object() if current_user.is_authenticated else None


def _row(kind, reason, user, organization_id, username, address, route) -> dict:
    method = None
    if has_request_context():
        address = address or request.remote_addr
        route = route or request.endpoint or request.path
        method = request.method
        if user is None and username is None:
            user = _request_user()
    if organization_id is None:
        organization_id = getattr(user, "organization_id", None)
    if username is None:
        username = getattr(user, "username", None)
    return {
        "at": utcnow(), "kind": _cut(kind, 40), "reason": _cut(reason or "", 500),
        "user_id": getattr(user, "id", None), "organization_id": organization_id,
        "username": _cut(username, 64), "address": _cut(address, 64), "route": _cut(route, 200),
        "method": _cut(method, 10),
    }


# --- writing, in a transaction of its own ------------------------------------------------

def _holds_sqlite_write_lock(session: Session) -> bool:
    """True when ``session`` has written to SQLite in a transaction not yet ended."""
    if not session.in_transaction():
        return False
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return False
    return bool(getattr(connection.connection.dbapi_connection, "in_transaction", False))


def _store_or_defer(row: dict) -> None:
    session = db.session()
    if db.engine.dialect.name == "sqlite" and _holds_sqlite_write_lock(session):
        session.info.setdefault(_PENDING, []).append(row)
        return
    _write([row])


@event.listens_for(Session, "after_transaction_end")
def _write_pending(session: Session, transaction) -> None:
    """The rows that waited for the session's SQLite write lock, once its transaction ended."""
    if transaction.parent is not None or not session.info.get(_PENDING):
        return
    rows = session.info.pop(_PENDING)
    try:
        _write(rows)
    except Exception:  # never into the request
        log.exception("security log failed")


def _write(rows: list[dict]) -> None:
    table = SecurityEvent.__table__
    with db.engine.begin() as conn:
        for row in rows:
            conn.execute(table.insert().values(**row))
            for alert in _alerts_for(conn, row):
                conn.execute(table.insert().values(**alert))
                log.warning(json.dumps({"kind": "alert", "scope": alert["reason"], "username": alert["username"],
                                        "address": alert["address"], "organization_id": alert["organization_id"]},
                                       ensure_ascii=False, sort_keys=True))


def _alerts_for(conn, row: dict) -> list[dict]:
    """The alert rows ``row`` triggers: the threshold reached, no alert yet in this window."""
    if row["kind"] == "alert":
        return []
    table = SecurityEvent.__table__
    since = row["at"] - ALERT_WINDOW
    alerts = []
    for scope, column in (("account", table.c.username), ("address", table.c.address)):
        subject = row["username"] if scope == "account" else row["address"]
        if not subject:
            continue
        count = conn.scalar(sa.select(sa.func.count()).select_from(table).where(
            column == subject, table.c.at >= since, table.c.kind != "alert"))
        if count < ALERT_THRESHOLD:
            continue
        raised = conn.scalar(sa.select(table.c.id).where(
            table.c.kind == "alert", table.c.reason == scope, column == subject, table.c.at >= since).limit(1))
        if raised is not None:
            continue
        alerts.append({
            "at": row["at"], "kind": "alert", "reason": scope, "organization_id": row["organization_id"],
            "user_id": row["user_id"] if scope == "account" else None,
            "username": subject if scope == "account" else None,
            "address": subject if scope == "address" else None,
            "route": row["route"], "method": row["method"],
        })
    return alerts


# --- reading, for the administrators -----------------------------------------------------

def events_query(organization_id: int, *, kind: str | None = None, since: dt.datetime | None = None,
                 until: dt.datetime | None = None, username: str | None = None):
    """The organisation's events, newest first (rows without an organisation are nobody's)."""
    query = sa.select(SecurityEvent).where(SecurityEvent.organization_id == organization_id)
    if kind:
        query = query.where(SecurityEvent.kind == kind)
    if since is not None:
        query = query.where(SecurityEvent.at >= since)
    if until is not None:
        query = query.where(SecurityEvent.at < until)
    if username:
        query = query.where(SecurityEvent.username == username)
    return query.order_by(SecurityEvent.id.desc())


def open_alerts(session, organization_id: int) -> list[SecurityEvent]:
    """The organisation's alerts no administrator has acknowledged yet, newest first."""
    return list(session.scalars(sa.select(SecurityEvent).where(
        SecurityEvent.organization_id == organization_id, SecurityEvent.kind == "alert",
        SecurityEvent.acknowledged_at.is_(None)).order_by(SecurityEvent.id.desc()).limit(20)))


def acknowledge_alerts(session, admin) -> int:
    """The administrator has seen the organisation's open alerts: the banner goes (flushes)."""
    result = session.execute(sa.update(SecurityEvent).where(
        SecurityEvent.organization_id == admin.organization_id, SecurityEvent.kind == "alert",
        SecurityEvent.acknowledged_at.is_(None)).values(acknowledged_at=utcnow(), acknowledged_by=admin.id))
    session.flush()
    return result.rowcount or 0
