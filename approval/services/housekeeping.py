"""Rows that have served their purpose: old sessions and forgotten sign-in throttles.

Run daily by the job queue (``notifications.queue``, 02:00 Bangkok) and by ``flask purge-expired``.
Nothing here changes behaviour: a throttle row untouched for ``throttle.FORGET_AFTER`` and not
waiting counts as absent anyway, and a session row is removed only ``SESSION_RETENTION`` after it
ended (or was last seen), kept that long for the administrator's view of sign-ins.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import LoginThrottle, UserSession
from ..thai import utcnow
from . import throttle

#: how long an ended session stays visible to administrators before it is deleted
SESSION_RETENTION = dt.timedelta(days=90)


def purge(session: Session, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete expired rows; return how many of each (the caller commits)."""
    now = now or utcnow()
    sessions = session.execute(
        sa.delete(UserSession)
        .where(sa.func.coalesce(UserSession.ended_at, UserSession.last_seen_at) < now - SESSION_RETENTION)
        .execution_options(synchronize_session=False)
    ).rowcount
    throttles = session.execute(
        sa.delete(LoginThrottle)
        .where(LoginThrottle.last_failure_at < now - throttle.FORGET_AFTER,
               sa.or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until <= now))
        .execution_options(synchronize_session=False)
    ).rowcount
    return {"sessions": sessions or 0, "throttles": throttles or 0}
