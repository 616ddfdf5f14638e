"""The pages' sessions: server-side records that logout, password changes, deactivation and
administrators end, and that end by themselves when idle or too old (OWASP ASVS 3.3).

The session cookie carries only a random id; the table keeps its SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, joinedload

from ..extensions import db
from ..models import User, UserSession
from ..thai import utcnow

#: last_seen_at is written at most this often (not one write per request).
TOUCH_EVERY = dt.timedelta(minutes=1)
log = logging.getLogger(__name__)


def _digest(raw: str) -> str:
    return hashlib.sha256((raw or "").encode()).hexdigest()


def start(session: Session, user: User, *, address: str | None = None, user_agent: str | None = None
          ) -> tuple[str, UserSession]:
    """A new live session of ``user``: the raw id (for the cookie, never stored) and its record."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(token_hash=_digest(raw), user_id=user.id, organization_id=user.organization_id,
                      created_at=now, last_seen_at=now, address=(address or "")[:64] or None,
                      user_agent=(user_agent or "")[:255] or None)
    session.add(row)
    session.flush()
    return raw, row


def _write_apart(statement) -> None:
    """Best effort, in its own short transaction: a page view must not fail on bookkeeping."""
    try:
        with db.engine.begin() as conn:
            conn.execute(statement)
    except SQLAlchemyError:
        log.warning("session bookkeeping skipped", exc_info=True)


@lru_cache(maxsize=1)
def _resume_statement():
    """The session record and its user by the token's hash, built once (every request runs it)."""
    return (sa.select(UserSession).options(joinedload(UserSession.user))
            .where(UserSession.token_hash == sa.bindparam("token_hash")))


def resume(session: Session, raw: str, *, idle: dt.timedelta, lifetime: dt.timedelta
           ) -> tuple[User | None, UserSession | None, str | None]:
    """(user, record, None) for a live session; (None, record or None, why) for any other.

    An idle or too old session is ended here; last_seen_at moves at most once a minute.
    """
    if not raw or len(raw) > 200:
        return None, None, "unknown"
    # The record and its user in one query (every signed-in request starts here).
    row = session.scalar(_resume_statement(), {"token_hash": _digest(raw)})
    if row is None:
        return None, None, "unknown"
    if row.ended_at is not None:
        return None, row, row.end_reason or "ended"
    now = utcnow()
    reason = "expired" if now - row.created_at >= lifetime else "idle" if now - row.last_seen_at >= idle else None
    if reason:
        _write_apart(sa.update(UserSession).where(UserSession.id == row.id, UserSession.ended_at.is_(None))
                     .values(ended_at=now, end_reason=reason))
        return None, row, reason
    user = row.user
    if not user.is_active:
        return None, row, "deactivated"
    if now - row.last_seen_at >= TOUCH_EVERY:
        _write_apart(sa.update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    return user, row, None


def end(row: UserSession, reason: str) -> None:
    """End one session (flushed with the request's transaction)."""
    if row.ended_at is None:
        row.ended_at, row.end_reason = utcnow(), reason


def end_all(session: Session, user: User, reason: str, keep: UserSession | None = None) -> int:
    """End every live session of ``user`` but ``keep``; how many were ended."""
    condition = [UserSession.user_id == user.id, UserSession.ended_at.is_(None)]
    if keep is not None:
        condition.append(UserSession.id != keep.id)
    # No autoflush: the caller's pending change of the user row is written once, later. A second
    # UPDATE of a row this transaction already updated makes PostgreSQL re-check its foreign key
    # (a KEY SHARE lock on the organisation) and deadlock with record_event's FOR UPDATE.
    with session.no_autoflush:
        result = session.execute(sa.update(UserSession).where(*condition)
                                 .values(ended_at=utcnow(), end_reason=reason)
                                 .execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


def live_count(session: Session, user: User) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(UserSession)
                          .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))) or 0
