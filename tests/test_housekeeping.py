"""Housekeeping: old session records and forgotten throttles are deleted; nothing live is."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from approval.extensions import db
from approval.models import LoginThrottle, User, UserSession
from approval.services import housekeeping, throttle
from approval.thai import utcnow


def _session_row(user, token, *, last_seen, ended=None):
    return UserSession(token_hash=token, user_id=user.id, organization_id=user.organization_id,
                       created_at=last_seen, last_seen_at=last_seen, ended_at=ended,
                       end_reason="logout" if ended else None)


def test_purge_deletes_only_what_has_served_its_purpose(users, ctx):
    now = utcnow()
    legal = db.session.scalar(sa.select(User).where(User.username == "legal"))
    long_ago = now - housekeeping.SESSION_RETENTION - dt.timedelta(days=1)
    recently = now - dt.timedelta(days=3)
    db.session.add_all([
        _session_row(legal, "a" * 64, last_seen=long_ago, ended=long_ago),  # ended long ago: gone
        _session_row(legal, "b" * 64, last_seen=long_ago),  # abandoned long ago: gone
        _session_row(legal, "c" * 64, last_seen=recently, ended=recently),  # kept for the admin's view
        _session_row(legal, "d" * 64, last_seen=now),  # live: kept
        LoginThrottle(key="login:old|x", failures=7, last_failure_at=now - dt.timedelta(days=2)),
        LoginThrottle(key="login:fresh|x", failures=2, last_failure_at=now - dt.timedelta(hours=1)),
        LoginThrottle(key="login:waiting|x", failures=20, last_failure_at=now - dt.timedelta(days=2),
                      blocked_until=now + dt.timedelta(minutes=5)),
    ])
    db.session.commit()

    counts = housekeeping.purge(db.session, now)
    db.session.commit()

    assert counts == {"sessions": 2, "throttles": 1}
    kept = set(db.session.scalars(sa.select(UserSession.token_hash)))
    assert {"c" * 64, "d" * 64} <= kept and not {"a" * 64, "b" * 64} & kept
    keys = set(db.session.scalars(sa.select(LoginThrottle.key)))
    assert keys == {"login:fresh|x", "login:waiting|x"}


def test_a_purged_throttle_behaves_as_the_forgotten_one_did(users, ctx):
    """Deleting a row older than FORGET_AFTER changes nothing: the next failure counts from one."""
    key = "login:someone|y"
    old = utcnow() - throttle.FORGET_AFTER - dt.timedelta(minutes=1)
    db.session.add(LoginThrottle(key=key, failures=4, last_failure_at=old))
    db.session.commit()
    housekeeping.purge(db.session)
    db.session.commit()
    assert throttle.reserve(key, "รอ {wait}") == 1


def test_the_command_reports_in_thai(users, ctx):
    result = ctx.test_cli_runner().invoke(args=["purge-expired"])
    assert result.exit_code == 0, result.output
    assert "ลบบันทึกการเข้าสู่ระบบที่หมดอายุ" in result.output
