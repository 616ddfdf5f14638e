"""The notifications' verbs: write them with the change that causes them; read, settings, days off.

Everything here changes data and flushes at most; the request (or the command) commits once,
so a notification exists exactly when the change that caused it does.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import thai
from ..errors import NotFound, ValidationFailed
from ..labels import DECISION_LABELS
from ..models import Memo, MemoState, Organization, Role, StepKind, StepStatus, User
from ..services.text import clean_text
from ..thai import utcnow
from .models import (
    DayOff,
    Delivery,
    DeliveryState,
    Kind,
    Notification,
    NotificationSettings,
)
from .workdays import Calendar

TEXT_MAX = 1000
SUBJECT_IN_TEXT = 300
EMAIL_RE = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}")
LINE_USER_RE = re.compile(r"U[0-9a-f]{32}")
#: Organisation settings of reminders (Organization.settings keys) and their defaults.
REMIND_DEFAULTS = {"remind_after_days": 2, "escalate_after_days": 5}

KIND_LABELS = {
    Kind.TURN: "ถึงลำดับของท่าน", Kind.RETURNED: "ส่งคืนแก้ไข", Kind.DECIDED: "สั่งการแล้ว",
    Kind.TO_ARCHIVE: "รอเก็บเข้าแฟ้ม", Kind.REMINDER: "เตือน",
}
#: What an inbox item waits for (API ``waiting_for``) and its Thai words.
WAITING_LABELS = {"sign": "ลงนาม", "order": "สั่งการ", "revise": "แก้ไขแล้วเสนอใหม่", "archive": "เก็บเข้าแฟ้ม"}


def _subject(memo: Memo) -> str:
    subject = memo.subject or ""
    return subject if len(subject) <= SUBJECT_IN_TEXT else subject[: SUBJECT_IN_TEXT - 1] + "…"


def remind_settings(org: Organization) -> tuple[int, int]:
    """(remind after N working days, escalate after M) of an organisation."""
    stored = org.settings or {}
    return (int(stored.get("remind_after_days", REMIND_DEFAULTS["remind_after_days"])),
            int(stored.get("escalate_after_days", REMIND_DEFAULTS["escalate_after_days"])))


# --- written with the change ----------------------------------------------------------------

def on_transition(session: Session, memo: Memo, action, actor) -> list[Notification]:
    """The notifications a chain action causes, added to the action's transaction.

    Called by ``services.memos.act`` once the action (and an automatic archive) is applied:
    a refused or rolled-back action leaves nothing behind. The person who acted is not told
    about their own act.
    """
    action = getattr(action, "value", action)
    subject = _subject(memo)
    wanted: list[tuple[int, Kind, str]] = []
    if action in ("submit", "forward") and memo.state is MemoState.IN_REVIEW:
        # The steps that became pending now: the stage that opened (all of a group at once);
        # a forward inside a group whose others still wait opens nothing.
        steps = memo.round_steps
        for step in memo.pending_steps:
            if step.group is not None and any(s.group == step.group and s.status is StepStatus.DONE for s in steps):
                continue
            verb = "สั่งการ" if step.kind is StepKind.ORDER else "ลงนาม"
            wanted.append((step.assignee_id, Kind.TURN, f"หนังสือรอท่าน{verb} ({step.title}): {subject}"))
    elif action == "return":
        who = getattr(actor, "full_name", "")
        wanted.append((memo.author_id, Kind.RETURNED, f"{who} ส่งคืนหนังสือให้แก้ไข: {subject}"))
    elif action == "order":
        decision = DECISION_LABELS.get(memo.decision, "")
        text = f"หนังสือได้รับคำสั่งแล้ว ({decision}): {subject}"
        signers = [s.assignee_id for s in memo.round_steps if s.status is not StepStatus.WAITING and s.signed_at]
        for user_id in dict.fromkeys([memo.author_id, *signers]):
            wanted.append((user_id, Kind.DECIDED, text))
        if memo.state is MemoState.DECIDED:  # not filed automatically: the records officers' work
            for user_id in _records_officers(session, memo.organization_id):
                wanted.append((user_id, Kind.TO_ARCHIVE, f"หนังสือสั่งการแล้ว รอเก็บเข้าแฟ้ม: {subject}"))
    actor_id = getattr(actor, "id", None)
    made = []
    seen = set()
    for user_id, kind, text in wanted:
        if user_id == actor_id or (user_id, kind) in seen:
            continue
        seen.add((user_id, kind))
        # memo.version is the version this action changes: one transition, one key.
        key = f"m{memo.id}v{memo.version}:{kind.value}:u{user_id}"
        made.append(Notification(organization_id=memo.organization_id, user_id=user_id, memo_id=memo.id,
                                 kind=kind, text=text[:TEXT_MAX], dedupe_key=key, created_at=utcnow()))
    session.add_all(made)
    add_deliveries(session, made)
    return made


def _records_officers(session: Session, organization_id: int) -> list[int]:
    rows = session.execute(
        sa.select(User.id, User.roles_csv).where(User.organization_id == organization_id,
                                                 User.is_active_flag.is_(True))
    )
    return [uid for uid, roles in rows if Role.RECORDS.value in (roles or "").split(",")]


def settings_for(session: Session, user_ids: Iterable[int]) -> dict[int, NotificationSettings]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    rows = session.scalars(sa.select(NotificationSettings).where(NotificationSettings.user_id.in_(ids)))
    return {row.user_id: row for row in rows}


def add_deliveries(session: Session, notifications: list[Notification]) -> list[Delivery]:
    """One outbox row per notification and channel the recipient has on (none when on digest)."""
    found = settings_for(session, (n.user_id for n in notifications))
    rows = []
    for n in notifications:
        prefs = found.get(n.user_id)
        if prefs is None or prefs.digest:
            continue
        for channel in prefs.channels():
            rows.append(Delivery(organization_id=n.organization_id, user_id=n.user_id, notification=n,
                                 channel=channel, state=DeliveryState.PENDING, next_attempt_at=utcnow(),
                                 last_error=""))
    session.add_all(rows)
    return rows


# --- reading ---------------------------------------------------------------------------------

def _mine(user: User):
    return sa.and_(Notification.organization_id == user.organization_id, Notification.user_id == user.id)


def unread_count_query(user: User):
    return sa.select(sa.func.count()).select_from(Notification).where(_mine(user), Notification.read_at.is_(None))


def unread_count(session: Session, user: User) -> int:
    return session.scalar(unread_count_query(user)) or 0


def list_notifications(session: Session, user: User, *, unread: bool = False, page: int = 1,
                       per_page: int = 20) -> tuple[list[Notification], int]:
    """One page of the user's notifications, newest first, and how many are unread."""
    query = sa.select(Notification).where(_mine(user))
    if unread:
        query = query.where(Notification.read_at.is_(None))
    items = list(session.scalars(query.order_by(Notification.id.desc()).limit(per_page)
                                 .offset((page - 1) * per_page)))
    return items, unread_count(session, user)


def get_notification(session: Session, user: User, notification_id) -> Notification:
    try:
        notification_id = int(notification_id)
    except (TypeError, ValueError):
        raise NotFound("ไม่พบการแจ้งเตือนนี้") from None
    found = session.scalar(sa.select(Notification).where(_mine(user), Notification.id == notification_id)) \
        if abs(notification_id) < 2**62 else None
    if found is None:
        raise NotFound("ไม่พบการแจ้งเตือนนี้")
    return found


def mark_read(session: Session, user: User, notification_id) -> Notification:
    found = get_notification(session, user, notification_id)
    if found.read_at is None:
        found.read_at = utcnow()
    session.flush()
    return found


def mark_all_read(session: Session, user: User) -> int:
    result = session.execute(
        sa.update(Notification).where(_mine(user), Notification.read_at.is_(None)).values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# --- settings per user ------------------------------------------------------------------------

def get_settings(session: Session, user: User) -> NotificationSettings:
    """The user's settings, or the defaults (not stored until changed)."""
    found = session.get(NotificationSettings, user.id)
    if found is None:
        found = NotificationSettings(user_id=user.id, organization_id=user.organization_id, email="",
                                     email_enabled=True, line_enabled=False, line_user_id="", digest=False)
    return found


def settings_dict(prefs: NotificationSettings) -> dict:
    return {"email": prefs.email or "", "channels": {"email": bool(prefs.email_enabled),
                                                     "line": bool(prefs.line_enabled)},
            "line_user_id": prefs.line_user_id or "", "digest": bool(prefs.digest)}


def update_settings(session: Session, user: User, data: dict) -> NotificationSettings:
    """Check and store the user's settings (fields absent keep their value)."""
    prefs = get_settings(session, user)
    errors: dict[str, str] = {}
    email = data.get("email", prefs.email)
    line_id = data.get("line_user_id", prefs.line_user_id)
    channels = data.get("channels", {})
    digest = data.get("digest", prefs.digest)
    if not isinstance(email, str) or len(email) > 254:
        errors["email"] = "ที่อยู่อีเมลไม่ถูกต้อง"
    else:
        email = clean_text(email, "email").strip()
        if email and not EMAIL_RE.fullmatch(email):
            errors["email"] = "ที่อยู่อีเมลไม่ถูกต้อง"
    if not isinstance(line_id, str) or len(line_id) > 64:
        errors["line_user_id"] = "LINE user ID ไม่ถูกต้อง"
    else:
        line_id = line_id.strip()
        if line_id and not LINE_USER_RE.fullmatch(line_id):
            errors["line_user_id"] = "LINE user ID ต้องขึ้นต้นด้วย U ตามด้วยตัวอักษร 0-9 a-f ๓๒ ตัว"
    if not isinstance(channels, dict) or set(channels) - {"email", "line"} or not all(
            isinstance(v, bool) for v in channels.values()):
        errors["channels"] = "ช่องทางต้องเป็น {\"email\": true/false, \"line\": true/false}"
        channels = {}
    if not isinstance(digest, bool):
        errors["digest"] = "ต้องเป็น true หรือ false"
    email_on = channels.get("email", prefs.email_enabled)
    line_on = channels.get("line", prefs.line_enabled)
    if not errors and email_on and not email and "channels" in data and channels.get("email"):
        errors["email"] = "กรุณากรอกอีเมลเพื่อรับการแจ้งเตือนทางอีเมล"
    if not errors and line_on and not line_id:
        errors["line_user_id"] = "กรุณากรอก LINE user ID เพื่อรับการแจ้งเตือนทาง LINE"
    if errors:
        raise ValidationFailed("ข้อมูลการแจ้งเตือนไม่ถูกต้อง กรุณาตรวจสอบช่องที่ระบุ", errors)
    prefs.email, prefs.line_user_id, prefs.digest = email, line_id, digest
    prefs.email_enabled, prefs.line_enabled = email_on, line_on
    session.add(prefs)
    session.flush()
    return prefs


# --- the organisation's days off and reminder settings ----------------------------------------

def calendar(session: Session, organization_id: int) -> Calendar:
    """The organisation's working days (its days off read now; the year's tables shared while they stay)."""
    rows = session.execute(sa.select(DayOff.day, DayOff.name).where(DayOff.organization_id == organization_id))
    return _calendar(tuple(sorted(rows.all())))


@lru_cache(maxsize=256)
def _calendar(days_off: tuple) -> Calendar:
    """One Calendar per set of days off: its per-year tables (365 days checked) are built once."""
    return Calendar(dict(days_off))


def days_off(session: Session, organization_id: int) -> list[DayOff]:
    return list(session.scalars(sa.select(DayOff).where(DayOff.organization_id == organization_id)
                                .order_by(DayOff.day.desc())))


def add_day_off(session: Session, org: Organization, day: dt.date, name: str, actor: User | None = None) -> DayOff:
    from ..services.organizations import (
        _admin_event,  # the admin log of the organisation
    )

    name = clean_text(name or "", "name").strip()
    errors = {}
    if not name or len(name) > 200:
        errors["name"] = "กรุณากรอกชื่อวันหยุด (ไม่เกิน ๒๐๐ ตัวอักษร)"
    if not isinstance(day, dt.date) or not dt.date(2000, 1, 1) <= day <= dt.date(2200, 12, 31):
        errors["day"] = "วันที่ไม่ถูกต้อง"
    elif session.scalar(sa.select(DayOff.id).where(DayOff.organization_id == org.id, DayOff.day == day)):
        errors["day"] = "วันนี้เป็นวันหยุดของหน่วยงานอยู่แล้ว"
    if errors:
        raise ValidationFailed("ข้อมูลวันหยุดไม่ถูกต้อง", errors)
    row = DayOff(organization_id=org.id, day=day, name=name)
    session.add(row)
    session.flush()
    _admin_event(session, org, actor, "admin.day_off_add", {"day": day.isoformat(), "name": name})
    return row


def remove_day_off(session: Session, org: Organization, day_off_id: int, actor: User | None = None) -> None:
    from ..services.organizations import _admin_event

    row = session.scalar(sa.select(DayOff).where(DayOff.organization_id == org.id, DayOff.id == day_off_id))
    if row is None:
        raise NotFound("ไม่พบวันหยุดนี้")
    _admin_event(session, org, actor, "admin.day_off_remove", {"day": row.day.isoformat(), "name": row.name})
    session.delete(row)
    session.flush()


def set_remind_settings(session: Session, org: Organization, remind_after: int, escalate_after: int,
                        actor: User | None = None) -> None:
    from ..services.organizations import _admin_event

    errors = {}
    if not isinstance(remind_after, int) or not 1 <= remind_after <= 60:
        errors["remind_after_days"] = "ระบุ ๑-๖๐ วันทำการ"
    if not isinstance(escalate_after, int) or not 1 <= escalate_after <= 120:
        errors["escalate_after_days"] = "ระบุ ๑-๑๒๐ วันทำการ"
    elif not errors and escalate_after < remind_after:
        errors["escalate_after_days"] = "ต้องไม่น้อยกว่าจำนวนวันก่อนเตือน"
    if errors:
        raise ValidationFailed("ตั้งค่าการเตือนไม่ถูกต้อง", errors)
    org.settings = {**(org.settings or {}), "remind_after_days": remind_after, "escalate_after_days": escalate_after}
    _admin_event(session, org, actor, "admin.remind_settings",
                 {"remind_after_days": remind_after, "escalate_after_days": escalate_after})
    session.flush()


# --- the admin's view of the outbox -----------------------------------------------------------

def deliveries(session: Session, organization_id: int, state: str | None = None, limit: int = 200) -> list[Delivery]:
    query = sa.select(Delivery).where(Delivery.organization_id == organization_id)
    if state:
        query = query.where(Delivery.state == DeliveryState(state))
    return list(session.scalars(query.order_by(Delivery.id.desc()).limit(limit)))


def delivery_counts(session: Session, organization_id: int) -> dict[str, int]:
    rows = session.execute(sa.select(Delivery.state, sa.func.count()).where(
        Delivery.organization_id == organization_id).group_by(Delivery.state))
    counts = {s.value: 0 for s in DeliveryState}
    for state, n in rows:
        counts[getattr(state, "value", state)] = n
    return counts


def retry_delivery(session: Session, organization_id: int, delivery_id: int) -> Delivery:
    """An admin sends a dead (or failed) delivery again: back to pending with fresh attempts."""
    row = session.scalar(sa.select(Delivery).where(Delivery.organization_id == organization_id,
                                                   Delivery.id == delivery_id))
    if row is None:
        raise NotFound("ไม่พบรายการส่งนี้")
    if row.state not in (DeliveryState.DEAD, DeliveryState.FAILED):
        raise ValidationFailed("ส่งซ้ำได้เฉพาะรายการที่ส่งไม่สำเร็จ")
    row.state, row.attempts, row.next_attempt_at, row.claimed_at = DeliveryState.PENDING, 0, utcnow(), None
    session.flush()
    return row


def day_label(n: int) -> str:
    return f"{thai.thai_digits(n)} วันทำการ"




def nav_counts(session: Session, user: User) -> tuple[int, int]:
    """(work waiting in the inbox, unread notifications) in one query."""
    from ..services.memos import inbox_counts

    counts = inbox_counts(session, user)
    return counts.waiting, counts.unread