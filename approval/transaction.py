"""The unit of work: the one place where a request's changes are committed.

Services change data and flush; pages (through :func:`approval.web.unit.attempt`), the API
and the command line commit here. A lost race -- a stale version, a duplicate row, SQLite's
write lock -- becomes :class:`Conflict` (409, code ``conflict``) with the transaction rolled
back; any other error rolls back too and propagates.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict

log = logging.getLogger(__name__)

CONFLICT_MESSAGE = "มีผู้ดำเนินการกับข้อมูลนี้ไปก่อนแล้ว กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"


def is_lock_error(exc: OperationalError) -> bool:
    """SQLite's "database is locked" or PostgreSQL's lock timeout: someone else holds the row."""
    text = str(exc).lower()
    return "locked" in text or "lock timeout" in text or "could not obtain lock" in text


# SQLSTATE 23505 unique_violation, 23503 foreign_key_violation: another transaction wrote the
# same row first (or removed what we point at). A CHECK or NOT NULL violation (23514, 23502)
# is our own bug, not a race: it stays an error and is logged as one.
RACE_SQLSTATES = frozenset({"23505", "23503"})


def is_race_integrity(exc: IntegrityError) -> bool:
    """A duplicate row or a vanished referent: a lost race, answered 409."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code:
        return code in RACE_SQLSTATES
    text = str(orig if orig is not None else exc).lower()
    return "unique constraint failed" in text or "foreign key constraint failed" in text


def is_conflict(exc: BaseException) -> bool:
    """Whether a database error means someone else got there first."""
    if isinstance(exc, StaleDataError):
        return True
    if isinstance(exc, IntegrityError):
        return is_race_integrity(exc)
    if isinstance(exc, OperationalError):
        return is_lock_error(exc)
    return False


@contextmanager
def conflicts_as_409(session: Session, message: str = CONFLICT_MESSAGE):
    """Inside: a concurrent change becomes Conflict; any error leaves the session rolled back."""
    try:
        yield
    except (StaleDataError, IntegrityError, OperationalError) as exc:
        session.rollback()
        if not is_conflict(exc):
            raise
        raise Conflict(message) from exc
    except BaseException:
        session.rollback()
        raise


def commit(session: Session | None = None) -> None:
    """Commit the request's one transaction; a lost race is a Conflict, never a 500 or 503."""
    if session is None:
        from .extensions import db

        session = db.session
    with conflicts_as_409(session):
        session.commit()
    run_after_commit(session)


def run_after_commit(session: Session) -> None:
    """The follow-ups a service asked for once its changes are committed (``session.info
    ["after_commit"]``, e.g. the audit checkpoint after an order), each in its own
    transaction. A failing follow-up is logged and rolled back; what was committed stays."""
    for follow_up in session.info.pop("after_commit", []):
        try:
            follow_up()
            session.commit()
        except Exception:
            session.rollback()
            log.exception("a follow-up after commit failed: %r", follow_up)


@event.listens_for(Session, "after_rollback")
def _forget_follow_ups(session: Session) -> None:
    """A rolled-back transaction asked for nothing."""
    session.info.pop("after_commit", None)
    session.info.pop("closed_steps", None)  # services.chain: steps a rolled-back return closed
