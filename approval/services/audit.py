"""The append-only event log and its hash chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Event, Memo, Organization, User

GENESIS = "0" * 64


def _canonical_value(value):
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        raise TypeError("floats are not allowed in audited content")
    if isinstance(value, dt.datetime):
        return format_time(value)
    if isinstance(value, dict):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical_value(v) for v in value]
    return str(value)


def format_time(moment: dt.datetime) -> str:
    """The one timestamp format of the audit chain: UTC, microseconds, Z."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(content: dict) -> str:
    """Sorted keys, no floats, NFC text, compact separators."""
    return json.dumps(_canonical_value(content), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_content(event: Event) -> dict:
    return {
        "organization_id": event.organization_id, "memo_id": event.memo_id,
        "actor_id": event.actor_id, "action": event.action, "from_state": event.from_state,
        "to_state": event.to_state, "round": event.round, "step": event.step,
        "comment": event.comment, "data": event.data or {}, "at": event.at,
    }


def compute_hash(prev_hash: str, content: dict) -> str:
    return hashlib.sha256((prev_hash + "\n" + canonical_json(content)).encode("utf-8")).hexdigest()


def _last_hash(session: Session, organization_id: int, memo_id: int | None) -> str:
    # Each organisation's chains are its own (and the query stays on its shard: models/tenancy.py).
    where = sa.and_(Event.organization_id == organization_id,
                    Event.memo_id == memo_id if memo_id is not None else Event.memo_id.is_(None))
    last = session.scalar(sa.select(Event.hash).where(where).order_by(Event.id.desc()).limit(1))
    return last or GENESIS


def record_event(
    session: Session, *, organization_id: int, memo: Memo | None, actor: User | None, action: str,
    from_state: str | None = None, to_state: str | None = None, round: int | None = None,
    step: int | None = None, comment: str = "", data: dict | None = None, at: dt.datetime,
) -> Event:
    """Append an event chained to the previous one of the same memo (or organisation)."""
    if memo is not None and memo.id is None:
        session.flush()
    memo_id = memo.id if memo is not None else None
    org = None
    if memo is None:
        # The organisation's row is the lock of its admin chain: two admin events at
        # once take their turns, so the chain does not fork and the head is the last.
        org = session.scalar(sa.select(Organization).where(Organization.id == organization_id).with_for_update())
    event = Event(
        organization_id=organization_id, memo_id=memo_id, actor_id=actor.id if actor else None,
        action=action, from_state=from_state, to_state=to_state, round=round, step=step,
        comment=unicodedata.normalize("NFC", comment or ""), data=data or {},
        at=at.replace(microsecond=at.microsecond),
    )
    event.prev_hash = _last_hash(session, organization_id, memo_id)
    event.hash = compute_hash(event.prev_hash, event_content(event))
    session.add(event)
    if memo is not None:
        memo.events.append(event)
    elif org is not None:
        org.admin_event_head = event.hash
    return event


@dataclass
class ChainProblem:
    event_id: int
    memo_id: int | None
    problem: str


def verify_chain(session: Session, organization_id: int | None = None) -> list[ChainProblem]:
    """Recompute every chain; return each broken link (empty when intact)."""
    query = sa.select(Event).order_by(Event.memo_id, Event.organization_id, Event.id)
    if organization_id is not None:
        query = query.where(Event.organization_id == organization_id)
    problems: list[ChainProblem] = []
    last: dict[tuple, str] = {}
    last_state: dict[tuple, str | None] = {}
    for event in session.scalars(query):
        key = (event.memo_id,) if event.memo_id is not None else (None, event.organization_id)
        expected_prev = last.get(key, GENESIS)
        if event.prev_hash != expected_prev:
            problems.append(ChainProblem(event.id, event.memo_id, "ลิงก์ไปยังเหตุการณ์ก่อนหน้าไม่ตรงกัน"))
        if compute_hash(event.prev_hash, event_content(event)) != event.hash:
            problems.append(ChainProblem(event.id, event.memo_id, "เนื้อหาเหตุการณ์ถูกแก้ไข"))
        last[key] = event.hash
        last_state[key] = event.to_state
    # A deleted tail leaves a valid but shorter chain: the memo's state then disagrees with it.
    memos = sa.select(Memo.id, Memo.state)
    if organization_id is not None:
        memos = memos.where(Memo.organization_id == organization_id)
    for memo_id, state in session.execute(memos):
        if last_state.get((memo_id,), "missing") != getattr(state, "value", state):
            problems.append(ChainProblem(0, memo_id, "สถานะหนังสือไม่ตรงกับเหตุการณ์ล่าสุด (เหตุการณ์อาจถูกลบ)"))
    # ... and the organisation's admin chain then ends before the head it recorded.
    orgs = sa.select(Organization.id, Organization.admin_event_head)
    if organization_id is not None:
        orgs = orgs.where(Organization.id == organization_id)
    for org_id, head in session.execute(orgs):
        if last.get((None, org_id)) != head:
            problems.append(ChainProblem(0, None, "เหตุการณ์การดูแลระบบล่าสุดไม่ตรงกับที่หน่วยงานบันทึกไว้ (เหตุการณ์อาจถูกลบ)"))
    return problems
