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
from ..models import Memo, MemoState, Organization, Step, StepKind, StepStatus, User
from ..models.base import UTCDateTime
from ..models.tenancy import next_ids
from ..thai import utcnow
from .models import (
    Channel,
    Delivery,
    DeliveryState,
    Kind,
    Notification,
    NotificationSettings,
)
from .service import REMIND_DEFAULTS, SUBJECT_IN_TEXT, calendar
from .workdays import local_day


def _insert_ignoring_duplicates(session: Session, table, rows: list[dict], **same) -> None:
    """INSERT ... ON CONFLICT DO NOTHING (SQLite and PostgreSQL) as one executemany; `same`: the
    values every row shares (bound once).

    SQLAlchemy batches the executemany into multi-row statements itself ("insertmanyvalues"),
    with one compiled statement, which is what keeps thousands of rows fast.
    """
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    values = {key: sa.literal(value, table.c[key].type) for key, value in same.items()}
    session.execute(insert(table).values(**values).on_conflict_do_nothing(), rows)


def _text(subject: str) -> str:
    return subject if len(subject) <= SUBJECT_IN_TEXT else subject[: SUBJECT_IN_TEXT - 1] + "…"


def queue_reminders(session: Session, now: dt.datetime | None = None) -> dict[str, int]:
    """Write today's due reminders and escalations (with their deliveries); counts."""
    now = now or utcnow()
    today = local_day(now)
    orgs = {o.id: o for o in session.scalars(sa.select(Organization))}
    pending = session.execute(
        sa.select(Memo.id, Memo.organization_id, Step.assignee_id, Memo.updated_at, Memo.subject,
                  Memo.round, Step.seq, Step.id, Step.kind)
        # Joined on the organisation too: a join of two tenant tables stays on their shard (docs/scaling.md).
        .join(Step, sa.and_(Step.organization_id == Memo.organization_id, Step.memo_id == Memo.id,
                            Step.round == Memo.round, Step.status == StepStatus.PENDING))
        .where(Memo.state == MemoState.IN_REVIEW, Memo.pending_assignee_id.is_not(None))
        .order_by(Memo.id, Step.seq)
    ).all()  # every pending step: one, or each of a group pending together
    calendars, limits, working_today = {}, {}, {}
    reminders: list[dict] = []
    escalate: list[tuple] = []
    for memo_id, org_id, assignee_id, since, subject, _round, _seq, step_id, kind in pending:
        if org_id not in calendars:
            calendars[org_id] = calendar(session, org_id)
            stored = orgs[org_id].settings or {}
            limits[org_id] = (int(stored.get("remind_after_days", REMIND_DEFAULTS["remind_after_days"])),
                              int(stored.get("escalate_after_days", REMIND_DEFAULTS["escalate_after_days"])))
            working_today[org_id] = calendars[org_id].is_working_day(today)
        if not working_today[org_id]:
            continue  # nobody is reminded on a day off
        cal = calendars[org_id]
        waited = cal.working_days_between(local_day(since), today)
        remind_after, escalate_after = limits[org_id]
        if waited < remind_after:
            continue
        verb = "สั่งการ" if kind is StepKind.ORDER else "ลงนาม"
        days = thai.thai_digits(waited)
        reminders.append({
            "organization_id": org_id, "user_id": assignee_id, "memo_id": memo_id, "kind": Kind.REMINDER.value,
            "text": f"เตือน: หนังสือรอท่าน{verb}มา {days} วันทำการแล้ว: {_text(subject)}",
            "dedupe_key": f"remind:s{step_id}:{today.isoformat()}",
        })
        if waited >= escalate_after:
            escalate.append((memo_id, org_id, assignee_id, subject, _round, _seq, step_id, verb, days))
    if escalate:
        # The next stage of each memo in review: who is "above" the pending steps' assignees
        # (the first step still waiting in the round, after a group pending together too).
        above: dict[int, int] = {}
        for memo_id, assignee_id in session.execute(
            sa.select(Memo.id, Step.assignee_id)
            .join(Step, sa.and_(Step.organization_id == Memo.organization_id, Step.memo_id == Memo.id,
                                Step.round == Memo.round, Step.status == StepStatus.WAITING))
            .where(Memo.state == MemoState.IN_REVIEW, Memo.id.in_({e[0] for e in escalate}))
            .order_by(Memo.id, Step.seq)
        ):
            above.setdefault(memo_id, assignee_id)
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
                "dedupe_key": f"escalate:s{step_id}",
            })
    due = len(reminders)
    if reminders:  # the keys already told today (a second run): skip them before writing
        told = set(session.scalars(sa.select(Notification.dedupe_key).where(sa.or_(
            Notification.dedupe_key.like(f"remind:%:{today.isoformat()}"),
            Notification.dedupe_key.like("escalate:%")))))
        reminders = [r for r in reminders if r["dedupe_key"] not in told]
    # ON CONFLICT DO NOTHING still guards against a run at the same moment elsewhere.
    _insert_ignoring_duplicates(session, Notification.__table__, reminders, created_at=now)
    inserted = session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.kind == Kind.REMINDER, Notification.created_at == now)) if reminders else 0
    deliveries = _deliveries_for(session, inserted, now)
    return {"pending_steps": len(pending), "due": due, "queued": inserted,
            "deliveries": len(deliveries), "delivery_ids": deliveries}


def _deliveries_for(session: Session, inserted: int, now: dt.datetime) -> list[int]:
    """The outbox rows of the reminders just written (their ``created_at`` is this run's `now`),
    one per channel their recipient has on, in one INSERT ... SELECT per channel; their ids."""
    if not inserted:
        return []
    n, p = Notification.__table__.c, NotificationSettings.__table__.c
    ids: list[int] = []
    for channel, on in ((Channel.EMAIL, sa.and_(p.email_enabled.is_(True), p.email != "")),
                        (Channel.LINE, sa.and_(p.line_enabled.is_(True), p.line_user_id != ""))):
        rows = sa.select(
            next_ids("notification_delivery", n.id), n.organization_id, n.user_id, n.id, sa.null(), sa.literal(channel.value),
            sa.literal(DeliveryState.PENDING.value), sa.literal(0), sa.literal(now, UTCDateTime()), sa.null(),
            sa.null(), sa.literal(""), sa.literal(now, UTCDateTime()),
        ).join(NotificationSettings.__table__, p.user_id == n.user_id).where(
            n.kind == Kind.REMINDER.value, n.created_at == now, p.digest.is_(False), on)
        d = Delivery.__table__.c
        statement = sa.insert(Delivery.__table__).from_select(
            [d.id, d.organization_id, d.user_id, d.notification_id, d.digest_on, d.channel, d.state, d.attempts,
             d.next_attempt_at, d.claimed_at, d.sent_at, d.last_error, d.created_at], rows,
        ).returning(d.id)
        ids.extend(session.scalars(statement))
    return ids


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
