"""Acting officials (รักษาราชการแทน / ปฏิบัติราชการแทน): appoint, end, list, and who stands in today.

An appointment names a holder (whose position is covered), a stand-in, a kind and the days
it is in force (Asia/Bangkok; the end may be open). It is never edited: it is ended, and the
record stays. The rulebook (:mod:`approval.workflow`) decides turns from the
:class:`~approval.workflow.Standing` that :func:`standing` reads here; the chain's effects
(:mod:`approval.services.chain`) call :func:`use` when a stand-in signs, which is what orders
a signature against the appointment's end.

Services flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from ..errors import Forbidden, NotFound, NotYourTurn, ValidationFailed
from ..models import Appointment, AppointmentKind, Role, User
from ..thai import to_local, utcnow
from ..workflow import Cover, Standing
from . import audit
from .text import clean_text

KIND_LABELS = {"acting": "รักษาราชการแทน", "delegated": "ปฏิบัติราชการแทน"}
FIELDS = frozenset({"kind", "holder_id", "stand_in_id", "starts_on", "ends_on", "order_number", "order_date", "note"})
ORDER_NUMBER_MAX, NOTE_MAX = 100, 500
ID_MAX = 2**31  #: ids are 32-bit integers on PostgreSQL
ENDED = "การแต่งตั้งให้ท่านปฏิบัติหน้าที่แทนสิ้นสุดแล้ว กรุณาโหลดหน้าใหม่"


def today() -> dt.date:
    """The day in Asia/Bangkok: appointments start and end on Thai calendar days."""
    return to_local(utcnow()).date()


def in_force(day: dt.date):
    """SQL: the appointment is in force on `day`."""
    return sa.and_(Appointment.ended_at.is_(None), Appointment.starts_on <= day,
                   sa.or_(Appointment.ends_on.is_(None), Appointment.ends_on >= day))


def covered_holders(user: User, day: dt.date | None = None):
    """SQL: the ids of the holders `user` stands in for on `day` (a subquery)."""
    return covered_holders_of(user.organization_id, user.id, day or today())


def covered_holders_of(organization_id, user_id, day):
    """:func:`covered_holders` from values or bound parameters (a statement built once, run often)."""
    return (sa.select(Appointment.holder_id)
            .where(Appointment.organization_id == organization_id, Appointment.stand_in_id == user_id,
                   in_force(day)))


def stand_in_clause(user: User, day: dt.date | None = None):
    """SQL on Memo: a memo in review with a pending step whose assignee `user` stands in for today
    (the memo's first pending step, or any of a group pending together).

    The inbox ORs this with "pending with me"; the memo's visibility too.
    """
    from ..models import Memo, MemoState, Step
    from ..models.memo import pending_grouped

    holders = covered_holders(user, day)
    grouped = sa.select(Step.memo_id).where(
        Step.organization_id == user.organization_id, pending_grouped(), Step.assignee_id.in_(holders))
    return sa.and_(Memo.state == MemoState.IN_REVIEW,
                   sa.or_(Memo.pending_assignee_id.in_(holders), Memo.id.in_(grouped)))


def standing(session: Session, user: User, day: dt.date | None = None) -> Standing:
    """The appointments in force on `day` that concern `user`: whom they cover, who covers them."""
    if getattr(user, "id", None) is None:
        return Standing()
    day = day or today()
    rows = session.execute(
        sa.select(Appointment.id, Appointment.kind, Appointment.holder_id, Appointment.stand_in_id)
        .where(Appointment.organization_id == user.organization_id, in_force(day),
               sa.or_(Appointment.stand_in_id == user.id,
                      sa.and_(Appointment.holder_id == user.id, Appointment.kind == AppointmentKind.ACTING)))
        .order_by(Appointment.id)
    ).all()
    covers = tuple(Cover(holder_id=r.holder_id, kind=r.kind.value, appointment_id=r.id)
                   for r in rows if r.stand_in_id == user.id)
    replaced = next((r.stand_in_id for r in rows if r.holder_id == user.id), None)
    return Standing(covers=covers, replaced_by=replaced)


def use(session: Session, cover: Cover, day: dt.date | None = None) -> None:
    """A stand-in signs under `cover`: the appointment must still be in force, and stays so
    until the signature is committed.

    One conditional UPDATE of the appointment's row: on PostgreSQL it waits for an ending
    in progress and sees it; an ending in progress waits for this signature. So a signature
    and an ending are ordered -- never a step signed under an appointment already ended.
    """
    now = utcnow()
    result = session.execute(
        sa.update(Appointment).where(Appointment.id == cover.appointment_id, in_force(day or today()))
        .values(used_at=now).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise NotYourTurn(ENDED)


# --- appointing ---------------------------------------------------------------------------

def _may_appoint(actor: User, holder: User | None) -> bool:
    """Administrators appoint for anyone; an executive for their own position."""
    if actor.has_role(Role.ADMIN):
        return True
    return actor.has_role(Role.EXECUTIVE) and holder is not None and holder.id == actor.id


def can_manage(actor: User) -> bool:
    """May open the appointments page at all (administrators and executives)."""
    return actor.has_role(Role.ADMIN) or actor.has_role(Role.EXECUTIVE)


def _date(value, field: str, errors: dict, required: bool) -> dt.date | None:
    if value is None or value == "":
        if required:
            errors[field] = "กรุณาระบุวันที่"
        return None
    if isinstance(value, dt.date):
        return value
    try:
        day = dt.date.fromisoformat(str(value)) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        errors[field] = "วันที่ไม่ถูกต้อง (รูปแบบ YYYY-MM-DD)"
    elif not dt.date(2000, 1, 1) <= day <= dt.date(2200, 12, 31):
        errors[field] = "วันที่อยู่นอกช่วงที่รับได้"
        return None
    return day


def _person(session: Session, value, org_id: int, field: str, errors: dict) -> User | None:
    raw = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    person = session.get(User, int(raw)) if raw.isdigit() and 0 < int(raw) < ID_MAX else None
    if person is None or person.organization_id != org_id:
        errors[field] = "ต้องเป็นผู้ใช้ของหน่วยงานเดียวกัน"
        return None
    return person


def _text(value, field: str, limit: int, errors: dict) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[field] = "ต้องเป็นข้อความ"
        return ""
    text = clean_text(value, field).strip()
    if len(text) > limit:
        errors[field] = f"ยาวได้ไม่เกิน {limit:,} ตัวอักษร"
    return text


def overlapping(session: Session, holder_id: int, starts_on: dt.date, ends_on: dt.date | None):
    """Appointments not ended for the same holder whose days meet [starts_on, ends_on]."""
    query = sa.select(Appointment).where(
        Appointment.holder_id == holder_id, Appointment.ended_at.is_(None),
        sa.or_(Appointment.ends_on.is_(None), Appointment.ends_on >= starts_on))
    if ends_on is not None:
        query = query.where(Appointment.starts_on <= ends_on)
    return session.scalars(query.order_by(Appointment.starts_on)).all()


def appoint(session: Session, actor: User, data: dict) -> Appointment:
    """Create an appointment from `data` (the API's fields); ValidationFailed lists every problem."""
    if not can_manage(actor):
        raise Forbidden("เฉพาะผู้ดูแลระบบหรือผู้บริหารเท่านั้นที่แต่งตั้งผู้ปฏิบัติหน้าที่แทนได้")
    errors: dict[str, str] = {}
    unknown = set(data) - FIELDS
    if unknown:
        errors.update({k: "ไม่รู้จักช่องนี้" for k in sorted(unknown)})
    kind = data.get("kind")
    if kind not in KIND_LABELS:
        errors["kind"] = "กรุณาเลือก รักษาราชการแทน (acting) หรือ ปฏิบัติราชการแทน (delegated)"
    org_id = actor.organization_id
    holder = _person(session, data.get("holder_id"), org_id, "holder_id", errors)
    stand_in = _person(session, data.get("stand_in_id"), org_id, "stand_in_id", errors)
    if holder is not None and not _may_appoint(actor, holder):
        raise Forbidden("ผู้บริหารแต่งตั้งผู้ปฏิบัติหน้าที่แทนได้เฉพาะตำแหน่งของตนเอง")
    if stand_in is not None and not stand_in.is_active:
        errors["stand_in_id"] = "ผู้ปฏิบัติหน้าที่แทนต้องเป็นผู้ใช้ที่ใช้งานอยู่"
    if holder is not None and stand_in is not None and holder.id == stand_in.id:
        errors["stand_in_id"] = "ไม่สามารถแต่งตั้งให้ปฏิบัติหน้าที่แทนตนเองได้"
    starts_on = _date(data.get("starts_on"), "starts_on", errors, required=True)
    ends_on = _date(data.get("ends_on"), "ends_on", errors, required=False)
    order_date = _date(data.get("order_date"), "order_date", errors, required=False)
    order_number = _text(data.get("order_number"), "order_number", ORDER_NUMBER_MAX, errors)
    note = _text(data.get("note"), "note", NOTE_MAX, errors)
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น"
    elif ends_on and ends_on < today():
        errors["ends_on"] = "วันสิ้นสุดต้องไม่ก่อนวันนี้"
    if holder is not None and starts_on and "ends_on" not in errors:
        # The holder's row is the lock of their appointments: two overlapping ones at once
        # are ordered here (PostgreSQL; SQLite writes one at a time anyway).
        if session.get_bind().dialect.name == "postgresql":
            session.execute(sa.select(User.id).where(User.id == holder.id).with_for_update())
        clash = overlapping(session, holder.id, starts_on, ends_on)
        if clash:
            other = clash[0]
            errors["starts_on"] = (f"ช่วงวันที่ซ้อนกับการแต่งตั้ง {other.stand_in.full_name} "
                                   f"{KIND_LABELS[other.kind.value]} ที่มีอยู่แล้ว")
    if errors:
        raise ValidationFailed("ข้อมูลการแต่งตั้งไม่ถูกต้อง กรุณาตรวจสอบช่องที่ระบุ", errors)
    appointment = Appointment(
        organization_id=org_id, kind=AppointmentKind(kind), holder_id=holder.id, holder=holder,
        stand_in_id=stand_in.id, stand_in=stand_in, starts_on=starts_on, ends_on=ends_on,
        order_number=order_number or None, order_date=order_date, note=note, created_by_id=actor.id,
        created_at=utcnow(),
    )
    session.add(appointment)
    session.flush()
    audit.record_event(session, organization_id=org_id, memo=None, actor=actor, action="admin.appoint",
                       data=describe(appointment), at=utcnow())
    return appointment


def describe(a: Appointment) -> dict:
    """What an admin event records of an appointment."""
    return {"appointment_id": a.id, "kind": a.kind.value, "holder_id": a.holder_id, "stand_in_id": a.stand_in_id,
            "starts_on": a.starts_on.isoformat(), "ends_on": a.ends_on.isoformat() if a.ends_on else None,
            "order_number": a.order_number, "order_date": a.order_date.isoformat() if a.order_date else None}


def get(session: Session, actor: User, appointment_id) -> Appointment:
    """The appointment of the actor's organisation (NotFound otherwise)."""
    try:
        key = int(appointment_id)
    except (TypeError, ValueError):
        raise NotFound("ไม่พบการแต่งตั้งนี้") from None
    found = session.get(Appointment, key) if 0 < key < ID_MAX else None
    if found is None or found.organization_id != actor.organization_id or not _may_see(actor, found):
        raise NotFound("ไม่พบการแต่งตั้งนี้")
    return found


def end(session: Session, actor: User, appointment: Appointment) -> bool:
    """End it now (its record stays). False when it had already ended (nothing recorded).

    Unsigned steps of the holder are the holder's again at once; what was signed stays.
    """
    if not _may_appoint(actor, appointment.holder):
        raise Forbidden("เฉพาะผู้ดูแลระบบหรือผู้ดำรงตำแหน่งนั้นเท่านั้นที่สิ้นสุดการแต่งตั้งได้")
    now = utcnow()
    result = session.execute(
        sa.update(Appointment).where(Appointment.id == appointment.id, Appointment.ended_at.is_(None))
        .values(ended_at=now).execution_options(synchronize_session=False)
    )
    session.expire(appointment, ["ended_at"])
    if result.rowcount != 1:
        return False
    audit.record_event(session, organization_id=appointment.organization_id, memo=None, actor=actor,
                       action="admin.end_appointment", data=describe(appointment), at=now)
    return True


def _may_see(actor: User, appointment: Appointment) -> bool:
    if actor.roles & {Role.ADMIN, Role.EXECUTIVE, Role.RECORDS}:
        return True
    return actor.id in (appointment.holder_id, appointment.stand_in_id)


def listing(session: Session, actor: User, *, active: bool | None = None) -> list[Appointment]:
    """The organisation's appointments (theirs only, for people who are not admin, executive or
    records), newest first; `active`: only those in force today (or only those not)."""
    query = (sa.select(Appointment).where(Appointment.organization_id == actor.organization_id)
             .options(selectinload(Appointment.holder), selectinload(Appointment.stand_in)))
    if not actor.roles & {Role.ADMIN, Role.EXECUTIVE, Role.RECORDS}:
        query = query.where(sa.or_(Appointment.holder_id == actor.id, Appointment.stand_in_id == actor.id))
    if active is True:
        query = query.where(in_force(today()))
    elif active is False:
        query = query.where(sa.not_(in_force(today())))
    return list(session.scalars(query.order_by(Appointment.starts_on.desc(), Appointment.id.desc()).limit(500)))


def covering(session: Session, holder_ids, day: dt.date | None = None) -> dict[int, Appointment]:
    """holder id -> the appointment in force on `day` covering them (for "who is covering")."""
    ids = {i for i in holder_ids if i is not None}
    if not ids:
        return {}
    rows = session.scalars(sa.select(Appointment).where(Appointment.holder_id.in_(ids), in_force(day or today()))
                           .options(selectinload(Appointment.stand_in)))
    return {a.holder_id: a for a in rows}


@lru_cache(maxsize=1)
def _standing_and_covering_statement():
    """standing_and_covering's statement with bound parameters, built once (the memo page runs it)."""
    user = sa.bindparam("user")
    mine = sa.or_(Appointment.stand_in_id == user,
                  sa.and_(Appointment.holder_id == user, Appointment.kind == AppointmentKind.ACTING))
    return (sa.select(Appointment).options(joinedload(Appointment.stand_in))
            .where(Appointment.organization_id == sa.bindparam("org"), in_force(sa.bindparam("day")),
                   sa.or_(mine, Appointment.holder_id.in_(sa.bindparam("holders", expanding=True))))
            .order_by(Appointment.id))


def standing_and_covering(session: Session, user: User, holder_ids, day: dt.date | None = None
                          ) -> tuple[Standing, dict[int, Appointment]]:
    """:func:`standing` of `user` and :func:`covering` of `holder_ids` in one query (the memo page)."""
    day = day or today()
    ids = {i for i in holder_ids if i is not None}
    if getattr(user, "id", None) is None:
        return Standing(), covering(session, ids, day)
    rows = list(session.scalars(_standing_and_covering_statement(),
                                {"org": user.organization_id, "user": user.id, "day": day, "holders": sorted(ids)}))
    concerning = [a for a in rows if a.stand_in_id == user.id
                  or (a.holder_id == user.id and a.kind is AppointmentKind.ACTING)]
    covers = tuple(Cover(holder_id=a.holder_id, kind=a.kind.value, appointment_id=a.id)
                   for a in concerning if a.stand_in_id == user.id)
    replaced = next((a.stand_in_id for a in concerning if a.holder_id == user.id), None)
    return Standing(covers=covers, replaced_by=replaced), {a.holder_id: a for a in rows if a.holder_id in ids}


def status(a: Appointment, day: dt.date | None = None) -> str:
    """"in_force", "ended", "expired" or "future" on `day`."""
    day = day or today()
    if a.ended_at is not None:
        return "ended"
    if a.starts_on > day:
        return "future"
    if a.ends_on is not None and a.ends_on < day:
        return "expired"
    return "in_force"


def inbox_notes(session: Session, user: User, memos) -> dict[int, str]:
    """memo id -> what the inbox says of acting officials: "แทน <holder>" on the memos the user
    signs as a stand-in; "<stand-in> รักษาราชการแทน" on their own when someone covers them.
    At most two queries, none when no memo is concerned.

    A group pending together (parallel opinions): the note names the holder of the pending
    step the user stands in for; a memo in the inbox whose first pending step is another's,
    with no such holder, waits for the user's own step of the group."""
    from ..models import Step, StepStatus

    memos = [getattr(m, "memo", m) for m in memos]  # memos, or the inbox's items
    notes: dict[int, str] = {}
    others = {m.id: m for m in memos if m.pending_assignee_id not in (None, user.id)}
    own = {m.id for m in memos if m.pending_assignee_id == user.id}
    if others:
        covered = session.execute(
            sa.select(Step.memo_id, User.full_name).join(User, User.id == Step.assignee_id)
            .where(Step.memo_id.in_(list(others)), Step.status == StepStatus.PENDING,
                   Step.assignee_id.in_(covered_holders(user)))
            .order_by(Step.memo_id, Step.seq)).all()
        for memo_id, full_name in covered:
            notes.setdefault(memo_id, f"แทน {full_name}")
        own |= {memo_id for memo_id in others if memo_id not in notes}
    if own:
        cover = session.execute(
            sa.select(Appointment.kind, User.full_name).join(User, User.id == Appointment.stand_in_id)
            .where(Appointment.organization_id == user.organization_id, Appointment.holder_id == user.id,
                   in_force(today())).limit(1)
        ).first()
        if cover is not None:
            for memo_id in own:
                notes[memo_id] = f"{cover.full_name} {KIND_LABELS[cover.kind.value]}ท่าน"
    return notes
