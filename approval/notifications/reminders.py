"""Reminders on Thai working days, and the daily digests.

A step pending for N working days (organisation setting ``remind_after_days``, default 2)
reminds its assignee once a day; after M (``escalate_after_days``, default 5) the next person
up the chain (the assignee of the following step) is told as well, once. A step is pending
since the memo last changed: while a memo is in review only the chain's moves change it,
so ``Memo.updated_at`` is when its pending step became pending.

Idempotent: each reminder's dedupe key names the step and the day (an escalation: the step),
and the rows are inserted with ON CONFLICT DO NOTHING, so running ``remind`` twice, or from
cron and the periodic task at once, queues each reminder once. Bulk: a few queries whatever
the number of pending steps.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import thai
from ..models import Memo, MemoState, Organization, Step, StepKind, User
from ..thai import utcnow
from .models import Delivery, DeliveryState, Kind, Notification, NotificationSettings
from .service import REMIND_DEFAULTS, SUBJECT_IN_TEXT, calendar
from .workdays import local_day

CHUNK = 1000


def _insert_ignoring_duplicates(session: Session, table, rows: list[dict], returning=None) -> list:
    """INSERT ... ON CONFLICT DO NOTHING (SQLite and PostgreSQL), in chunks; the inserted rows' `returning`."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    found = []
    for start in range(0, len(rows), CHUNK):
        statement = insert(table).values(rows[start:start + CHUNK]).on_conflict_do_nothing()
        if returning is not None:
            found.extend(session.execute(statement.returning(*returning)).all())
        else:
            session.execute(statement)
    return found


def _text(subject: str) -> str:
    return subject if len(subject) <= SUBJECT_IN_TEXT else subject[: SUBJECT_IN_TEXT - 1] + "…"


def queue_reminders(session: Session, now: dt.datetime | None = None) -> dict[str, int]:
    """Write today's due reminders and escalations (with their deliveries); counts."""
    now = now or utcnow()
    today = local_day(now)
    orgs = {o.id: o for o in session.scalars(sa.select(Organization))}
    pending = session.execute(
        sa.select(Memo.id, Memo.organization_id, Memo.pending_assignee_id, Memo.updated_at, Memo.subject,
                  Memo.round, Memo.current_step, Step.id, Step.kind)
        .join(Step, sa.and_(Step.memo_id == Memo.id, Step.round == Memo.round, Step.seq == Memo.current_step))
        .where(Memo.state == MemoState.IN_REVIEW, Memo.pending_assignee_id.is_not(None))
    ).all()
    calendars, limits = {}, {}
    reminders: list[dict] = []
    escalate: list[tuple] = []
    for memo_id, org_id, assignee_id, since, subject, _round, _seq, step_id, kind in pending:
        if org_id not in calendars:
            calendars[org_id] = calendar(session, org_id)
            stored = orgs[org_id].settings or {}
            limits[org_id] = (int(stored.get("remind_after_days", REMIND_DEFAULTS["remind_after_days"])),
                              int(stored.get("escalate_after_days", REMIND_DEFAULTS["escalate_after_days"])))
        cal = calendars[org_id]
        if not cal.is_working_day(today):
            continue  # nobody is reminded on a day off
        waited = cal.working_days_between(local_day(since), today)
        remind_after, escalate_after = limits[org_id]
        if waited < remind_after:
            continue
        verb = "สั่งการ" if kind is StepKind.ORDER else "ลงนาม"
        days = thai.thai_digits(waited)
        reminders.append({
            "organization_id": org_id, "user_id": assignee_id, "memo_id": memo_id, "kind": Kind.REMINDER.value,
            "text": f"เตือน: หนังสือรอท่าน{verb}มา {days} วันทำการแล้ว: {_text(subject)}",
            "dedupe_key": f"remind:s{step_id}:{today.isoformat()}", "created_at": now, "read_at": None,
        })
        if waited >= escalate_after:
            escalate.append((memo_id, org_id, assignee_id, subject, _round, _seq, step_id, verb, days))
    if escalate:
        # The next step of each memo in review: who is "above" the pending step's assignee.
        above = dict(session.execute(
            sa.select(Memo.id, Step.assignee_id)
            .join(Step, sa.and_(Step.memo_id == Memo.id, Step.round == Memo.round,
                                Step.seq == Memo.current_step + 1))
            .where(Memo.state == MemoState.IN_REVIEW)
        ).all())
        names = dict(session.execute(sa.select(User.id, User.full_name).where(
            User.organization_id.in_({e[1] for e in escalate}))).all())
        for memo_id, org_id, assignee_id, subject, round_, seq, step_id, verb, days in escalate:
            boss = above.get(memo_id)
            if boss is None or boss == assignee_id:
                continue  # the last step (the order): nobody above in the organisation's chain
            reminders.append({
                "organization_id": org_id, "user_id": boss, "memo_id": memo_id, "kind": Kind.REMINDER.value,
                "text": (f"แจ้งเพื่อทราบ: หนังสือรอ{names.get(assignee_id, '')}{verb}มา {days} วันทำการแล้ว: "
                         f"{_text(subject)}"),
                "dedupe_key": f"escalate:s{step_id}", "created_at": now, "read_at": None,
            })
    inserted = _insert_ignoring_duplicates(session, Notification.__table__, reminders,
                                           returning=(Notification.id, Notification.user_id,
                                                      Notification.organization_id))
    deliveries = _deliveries_for(session, inserted, now)
    return {"pending_steps": len(pending), "due": len(reminders), "queued": len(inserted),
            "deliveries": deliveries}


def _deliveries_for(session: Session, inserted: list, now: dt.datetime) -> int:
    if not inserted:
        return 0
    prefs = {p.user_id: p for p in session.scalars(sa.select(NotificationSettings).where(
        NotificationSettings.user_id.in_({row[1] for row in inserted})))}
    rows = []
    for notification_id, user_id, org_id in inserted:
        p = prefs.get(user_id)
        if p is None or p.digest:
            continue
        for channel in p.channels():
            rows.append({"organization_id": org_id, "user_id": user_id, "notification_id": notification_id,
                         "digest_on": None, "channel": channel.value, "state": DeliveryState.PENDING.value,
                         "attempts": 0, "next_attempt_at": now, "claimed_at": None, "sent_at": None,
                         "last_error": "", "created_at": now})
    _insert_ignoring_duplicates(session, Delivery.__table__, rows)
    return len(rows)


def queue_digests(session: Session, now: dt.datetime | None = None) -> int:
    """One digest delivery per channel for each person on digest who was told something today."""
    now = now or utcnow()
    today = local_day(now)
    start = dt.datetime.combine(today, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=7))).astimezone(dt.UTC)
    told = sa.select(Notification.user_id).where(Notification.created_at >= start).distinct()
    rows = []
    for p in session.scalars(sa.select(NotificationSettings).where(NotificationSettings.digest.is_(True),
                                                                    NotificationSettings.user_id.in_(told))):
        for channel in p.channels():
            rows.append({"organization_id": p.organization_id, "user_id": p.user_id, "notification_id": None,
                         "digest_on": today, "channel": channel.value, "state": DeliveryState.PENDING.value,
                         "attempts": 0, "next_attempt_at": now, "claimed_at": None, "sent_at": None,
                         "last_error": "", "created_at": now})
    _insert_ignoring_duplicates(session, Delivery.__table__, rows)
    return len(rows)
