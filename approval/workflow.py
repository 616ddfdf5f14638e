"""The signing chain's state machine: one table of transitions and their guards.

No Flask here: every function takes plain arguments and a SQLAlchemy session, so the
rules are tested without HTTP. Pages, API and command line all come through `apply`.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .errors import InvalidTransition, NotYourTurn, ValidationFailed
from .models import (
    ChainStep,
    Decision,
    Event,
    Memo,
    MemoState,
    Role,
    Step,
    StepDecision,
    StepKind,
    StepStatus,
    User,
)
from .services import audit, numbering
from .thai import utcnow

COMMENT_MAX = 5000


class Action(str, enum.Enum):
    SUBMIT = "submit"  #: author sends the memo up the chain
    FORWARD = "forward"  #: an opinion step signs and passes it on
    RETURN = "return"  #: any pending step sends it back for revision
    WITHDRAW = "withdraw"  #: author takes it back before anyone acted in this round
    ORDER = "order"  #: the order step decides
    ARCHIVE = "archive"  #: the records officer files the decided memo
    CANCEL = "cancel"  #: author abandons a draft or a returned memo


class Who(enum.Enum):
    AUTHOR = "author"
    OPINION_SIGNER = "opinion_signer"  #: assignee of the pending opinion step
    ORDER_SIGNER = "order_signer"  #: assignee of the pending order step
    PENDING_SIGNER = "pending_signer"  #: assignee of the pending step, either kind
    RECORDS = "records"  #: a records officer of the organisation


@dataclass(frozen=True)
class Transition:
    to: MemoState
    who: Who
    comment_required: bool = False
    signing: bool = False  #: a signing act: confirmed with the signer's password


S, A = MemoState, Action

#: (state, action) -> transition. Anything not here is refused with 409.
TRANSITIONS: dict[tuple[MemoState, Action], Transition] = {
    (S.DRAFT, A.SUBMIT): Transition(S.IN_REVIEW, Who.AUTHOR),
    (S.RETURNED, A.SUBMIT): Transition(S.IN_REVIEW, Who.AUTHOR),
    (S.IN_REVIEW, A.FORWARD): Transition(S.IN_REVIEW, Who.OPINION_SIGNER, comment_required=True, signing=True),
    (S.IN_REVIEW, A.RETURN): Transition(S.RETURNED, Who.PENDING_SIGNER, comment_required=True, signing=True),
    (S.IN_REVIEW, A.WITHDRAW): Transition(S.DRAFT, Who.AUTHOR),
    (S.IN_REVIEW, A.ORDER): Transition(S.DECIDED, Who.ORDER_SIGNER, signing=True),
    (S.DECIDED, A.ARCHIVE): Transition(S.ARCHIVED, Who.RECORDS),
    (S.DRAFT, A.CANCEL): Transition(S.CANCELLED, Who.AUTHOR),
    (S.RETURNED, A.CANCEL): Transition(S.CANCELLED, Who.AUTHOR),
}

ACTION_LABELS = {
    A.SUBMIT: "เสนอ", A.FORWARD: "ลงนามความเห็นและส่งต่อ", A.RETURN: "ส่งคืนแก้ไข",
    A.WITHDRAW: "ดึงกลับ", A.ORDER: "ลงนามสั่งการ", A.ARCHIVE: "จัดเก็บเข้าแฟ้ม", A.CANCEL: "ยกเลิก",
}
STATE_LABELS = {
    S.DRAFT: "ร่าง", S.IN_REVIEW: "อยู่ระหว่างพิจารณา", S.RETURNED: "ส่งคืนแก้ไข",
    S.DECIDED: "สั่งการแล้ว", S.ARCHIVED: "จัดเก็บแล้ว", S.CANCELLED: "ยกเลิก",
}
DECISION_LABELS = {
    Decision.ACKNOWLEDGE: "ทราบ", Decision.APPROVE: "อนุมัติ", Decision.REJECT: "ไม่อนุมัติ",
    Decision.OTHER: "อื่น ๆ",
}


def parse_action(value: str) -> Action:
    try:
        return Action(value)
    except ValueError:
        raise ValidationFailed("ไม่รู้จักคำสั่งนี้", {"action": "ไม่รู้จักคำสั่งนี้"}) from None


def _is(user: User, memo: Memo, who: Who) -> bool:
    pending = memo.pending_step
    if who is Who.AUTHOR:
        return memo.author_id == user.id
    if who is Who.RECORDS:
        return user.has_role(Role.RECORDS)
    if pending is None or pending.assignee_id != user.id:
        return False
    if who is Who.OPINION_SIGNER:
        return pending.kind is StepKind.OPINION
    if who is Who.ORDER_SIGNER:
        return pending.kind is StepKind.ORDER
    return who is Who.PENDING_SIGNER


def check(memo: Memo, user: User, action: Action) -> Transition:
    """The transition `user` may take, or the domain error that refuses it."""
    rule = TRANSITIONS.get((memo.state, action))
    if rule is None:
        raise InvalidTransition(
            f"ไม่สามารถ{ACTION_LABELS[action]}หนังสือที่อยู่ในสถานะ \"{STATE_LABELS[memo.state]}\" ได้"
        )
    if not _is(user, memo, rule.who):
        signed = any(s.assignee_id == user.id and s.status is not StepStatus.WAITING
                     and s.status is not StepStatus.PENDING for s in memo.round_steps)
        if rule.who is not Who.AUTHOR and rule.who is not Who.RECORDS and signed:
            # The step this user held was already recorded (often: a second click).
            raise InvalidTransition("ท่านได้ลงนามในขั้นตอนนี้ไปแล้ว")
        raise NotYourTurn("ยังไม่ถึงลำดับของท่าน หรือท่านไม่มีสิทธิ์ดำเนินการนี้")
    if action is A.WITHDRAW and any(s.signed_at for s in memo.round_steps):
        raise InvalidTransition("ดึงกลับไม่ได้ เพราะมีผู้ลงนามในรอบนี้แล้ว")
    return rule


def allowed_actions(memo: Memo, user: User) -> list[Action]:
    """Actions the user may take now (for showing buttons)."""
    result = []
    for (state, action) in TRANSITIONS:
        if state is memo.state:
            try:
                check(memo, user, action)
            except (InvalidTransition, NotYourTurn):
                continue
            result.append(action)
    return result


def _validate(rule: Transition, action: Action, comment: str, decision: str | None) -> Decision | None:
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed("ข้อความยาวเกินกำหนด", {"comment": f"ไม่เกิน {COMMENT_MAX:,} ตัวอักษร"})
    if rule.comment_required and not comment.strip():
        what = "เหตุผลที่ส่งคืน" if action is A.RETURN else "ความเห็น"
        raise ValidationFailed(f"กรุณากรอก{what}", {"comment": f"กรุณากรอก{what}"})
    if action is not A.ORDER:
        return None
    try:
        chosen = Decision(decision or "")
    except ValueError:
        raise ValidationFailed(
            "กรุณาเลือกคำสั่ง: ทราบ อนุมัติ ไม่อนุมัติ หรืออื่น ๆ", {"decision": "กรุณาเลือกคำสั่ง"}
        ) from None
    if chosen is Decision.OTHER and not comment.strip():
        raise ValidationFailed("กรุณากรอกข้อความคำสั่ง", {"comment": "กรุณากรอกข้อความคำสั่ง"})
    return chosen


def _start_round(session: Session, memo: Memo, chain: list[ChainStep], now: dt.datetime) -> None:
    if not chain:
        raise ValidationFailed("หน่วยงานยังไม่ได้กำหนดสายการลงนาม กรุณาติดต่อผู้ดูแลระบบ")
    if chain[-1].kind is not StepKind.ORDER or sum(c.kind is StepKind.ORDER for c in chain) != 1:
        raise ValidationFailed("สายการลงนามไม่ถูกต้อง: ต้องมีขั้นสั่งการหนึ่งขั้นเป็นขั้นสุดท้าย")
    if any(not c.assignee.is_active for c in chain):
        raise ValidationFailed("ผู้ลงนามบางคนในสายการลงนามถูกปิดการใช้งาน กรุณาติดต่อผู้ดูแลระบบ")
    memo.round += 1
    for seq, link in enumerate(chain, start=1):
        memo.steps.append(Step(
            organization_id=memo.organization_id, round=memo.round, seq=seq, title=link.title,
            kind=link.kind, assignee_id=link.assignee_id, assignee=link.assignee, acting=link.acting,
            status=StepStatus.PENDING if seq == 1 else StepStatus.WAITING, comment="",
        ))
    if memo.number is None:
        memo.number_year, memo.number_seq, memo.number = numbering.next_number(
            session, memo.organization, now
        )


def _advance(memo: Memo) -> None:
    """Point the memo at its pending step (or at none)."""
    pending = memo.pending_step
    memo.current_step = pending.seq if pending else None
    memo.pending_assignee_id = pending.assignee_id if pending else None


def apply(
    session: Session,
    memo: Memo,
    user: User,
    action: Action,
    *,
    comment: str = "",
    decision: str | None = None,
    chain: list[ChainStep] | None = None,
    confirmed: bool = False,
) -> Event:
    """Take `action` on `memo` as `user`; flush nothing, record the event. Raises domain errors."""
    rule = check(memo, user, action)
    comment = (comment or "").strip()
    chosen = _validate(rule, action, comment, decision)
    now = utcnow()
    from_state = memo.state
    step = memo.pending_step
    if action is A.SUBMIT:
        _start_round(session, memo, chain or [], now)
        step = memo.pending_step
    elif action in (A.FORWARD, A.RETURN, A.ORDER):
        step.comment = comment
        step.signed_at = now
        step.confirmed = confirmed
        if action is A.FORWARD:
            step.status, step.decision = StepStatus.DONE, StepDecision.FORWARD
            following = next(s for s in memo.round_steps if s.seq == step.seq + 1)
            following.status = StepStatus.PENDING
        elif action is A.RETURN:
            step.status, step.decision = StepStatus.RETURNED, StepDecision.RETURN
        else:
            step.status, step.decision = StepStatus.DONE, StepDecision(chosen.value)
            memo.decision, memo.decided_at = chosen, now
    elif action is A.WITHDRAW:
        for s in memo.round_steps:
            memo.steps.remove(s)
            session.delete(s)
        memo.round -= 1
        step = None
    elif action is A.ARCHIVE:
        memo.archived_at = now
    memo.state = rule.to
    _advance(memo)
    data = {"confirmed": True} if confirmed else {}
    if chosen is not None:
        data["decision"] = chosen.value
    return audit.record_event(
        session, organization_id=memo.organization_id, memo=memo, actor=user, action=action.value,
        from_state=from_state.value, to_state=memo.state.value, round=memo.round or None,
        step=step.seq if step is not None and action is not A.SUBMIT else None,
        comment=comment, data=data, at=now,
    )
