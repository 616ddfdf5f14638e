"""Growing delays after failed password checks, counted in the database (shared by all workers).

The rule (OWASP ASVS 2.2.1, "device cookies"): failures are counted per key -- for sign-in the
pair (account, client), where the client is the browser's signed device cookie or else the
address; for signing and profile confirmations the account. The first FREE_FAILURES attempts
of a key are checked freely; the attempt that makes the count n >= FREE_FAILURES makes the key
wait 2 ** (n - FREE_FAILURES) seconds (1 s, 2 s, 4 s ... at most MAX_DELAY). While a key waits
its attempts are refused (429) without a password check and without counting. A success
clears the key; a key untouched for FORGET_AFTER starts again from one.

An attempt is counted *before* its password check, in its own short transaction (one atomic
upsert: the row is locked on PostgreSQL, the database on SQLite), so parallel guesses cannot
all read "not yet blocked": at most FREE_FAILURES of them are checked. The count survives the
request's own rollback (a refused signing rolls everything else back).
"""

from __future__ import annotations

import datetime as dt
import math

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import DomainError
from ..extensions import db
from ..models import LoginThrottle
from ..thai import utcnow

FREE_FAILURES = 5
MAX_DELAY = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(hours=24)
_table = LoginThrottle.__table__


class Throttled(DomainError):
    """Too many failures for this key: wait ``retry_after`` seconds (sent as Retry-After)."""

    status, code = 429, "too_many_requests"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def delay_after(failures: int) -> dt.timedelta | None:
    """How long a key waits once its count of failures is ``failures`` (None: not at all)."""
    if failures < FREE_FAILURES:
        return None
    return min(dt.timedelta(seconds=2 ** min(failures - FREE_FAILURES, 20)), MAX_DELAY)


def wait_text(seconds: int) -> str:
    """'8 วินาที', '3 นาที' -- how long to wait, in Thai."""
    if seconds < 60:
        return f"{max(seconds, 1)} วินาที"
    return f"{math.ceil(seconds / 60)} นาที"


def login_key(username: str, client: str) -> str:
    """The key of sign-in attempts on one account (known or not, normalised) from one client."""
    return f"login:{(username or '').strip().lower()[:64]}|{client[:100]}"


def confirmation_key(user_id: int) -> str:
    return f"confirm:{user_id}"


def _upsert(dialect: str):
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_table)


def reserve(key: str, message: str) -> int:
    """Count one attempt of ``key`` before its check and return the count; Throttled while it waits.

    ``message`` is the refusal, with ``{wait}`` for how long to wait.
    """
    now = utcnow()
    with db.engine.begin() as conn:
        insert = _upsert(conn.dialect.name).values(key=key, failures=1, last_failure_at=now, blocked_until=None)
        statement = insert.on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={"failures": sa.case((_table.c.last_failure_at < now - FORGET_AFTER, 1),
                                      else_=_table.c.failures + 1),
                  "last_failure_at": now, "blocked_until": None},
            where=sa.or_(_table.c.blocked_until.is_(None), _table.c.blocked_until <= now),
        ).returning(_table.c.failures)
        failures = conn.execute(statement).scalar()
        if failures is None:  # the key waits: refused, not counted
            until = conn.execute(sa.select(_table.c.blocked_until).where(_table.c.key == key)).scalar()
            seconds = max(1, math.ceil((until - now).total_seconds())) if until else 1
            raise Throttled(message.format(wait=wait_text(seconds)), seconds)
        delay = delay_after(failures)
        if delay is not None:
            conn.execute(sa.update(_table).where(_table.c.key == key).values(blocked_until=now + delay))
    return failures


def clear(key: str) -> None:
    """A success: the key starts again from nothing."""
    with db.engine.begin() as conn:
        conn.execute(sa.delete(_table).where(_table.c.key == key))


def where() -> dict:
    """The address and route of the current request, for the security log (empty outside one)."""
    from flask import has_request_context, request

    if not has_request_context():
        return {}
    return {"address": request.remote_addr, "route": request.path}


def record_ceiling(_limit=None) -> None:
    """Flask-Limiter's on_breach for the per-address ceiling: the refusal goes to the security log."""
    from . import security_log

    security_log.record("login_throttled", "address ceiling", **where())
