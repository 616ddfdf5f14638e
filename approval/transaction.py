"""The unit of work: the one place where a request's changes are committed.

Services change data and flush; pages (through :func:`approval.web.unit.attempt`), the API
and the command line commit here. A lost race -- a stale version, a duplicate row, SQLite's
write lock -- becomes :class:`Conflict` (409, code ``conflict``) with the transaction rolled
back; any other error rolls back too and propagates.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from .errors import Conflict

CONFLICT_MESSAGE = "มีผู้ดำเนินการกับข้อมูลนี้ไปก่อนแล้ว กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"


def is_lock_error(exc: OperationalError) -> bool:
    """SQLite's "database is locked" or PostgreSQL's lock timeout: someone else holds the row."""
    text = str(exc).lower()
    return "locked" in text or "lock timeout" in text or "could not obtain lock" in text


@contextmanager
def conflicts_as_409(session: Session, message: str = CONFLICT_MESSAGE):
    """Inside: a concurrent change becomes Conflict; any error leaves the session rolled back."""
    try:
        yield
    except (StaleDataError, IntegrityError) as exc:
        session.rollback()
        raise Conflict(message) from exc
    except OperationalError as exc:
        session.rollback()
        if not is_lock_error(exc):
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
