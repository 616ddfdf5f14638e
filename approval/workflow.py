"""The signing chain's rulebook: one table of transitions, who may take them, and what they need.

Pure rules: no Flask, no session, no writes, nothing from :mod:`approval.services`. Given a
memo and a person, :func:`check` says which transition they may take (or raises the domain
error that refuses it), :func:`allowed_actions` lists them for the buttons, and
:func:`validate_input` and :func:`chain_problems` check what an action or a chain carries.
The effects -- step rows, numbers, events -- are :mod:`approval.services.chain`'s.

Acting officials: whose turn a pending step is depends on the appointments in force on the
day of acting, which :mod:`approval.services.appointments` reads and hands in as a
:class:`Standing` (plain data). The step's assignee may act, unless someone acts for them
(``acting``: รักษาราชการแทน); the stand-in of an appointment in force may act in their stead
(``acting``, or ``delegated``: ปฏิบัติราชการแทน, the holder keeping their own turn too). Each
step is its own act: a person on the chain who also stands in for a later step signs both,
one act each (see :func:`turn`).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from . import limits
from .errors import InvalidTransition, NotYourTurn, ValidationFailed
from .labels import ACTION_LABELS, STATE_LABELS
from .models import Decision, Memo, MemoState, Role, StepKind, StepStatus

COMMENT_MAX, COMMENT_LINES_MAX = limits.COMMENT_MAX, limits.COMMENT_LINES_MAX


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
class Cover:
    """An appointment in force today under which the user may act for `holder_id`."""

    holder_id: int
    kind: str  #: "acting" (รักษาราชการแทน) | "delegated" (ปฏิบัติราชการแทน)
    appointment_id: int


@dataclass(frozen=True)
class Standing:
    """The appointments in force today that concern one user, as plain data."""

    covers: tuple[Cover, ...] = ()  #: the holders this user may act for
    replaced_by: int | None = None  #: the stand-in acting (รักษาราชการแทน) for this user, if any

    def cover_for(self, holder_id: int | None) -> Cover | None:
        return next((c for c in self.covers if c.holder_id == holder_id), None)

    @property
    def holder_ids(self) -> frozenset[int]:
        return frozenset(c.holder_id for c in self.covers)


#: No appointment concerns the user (the default everywhere).
NO_STANDING = Standing()


@dataclass(frozen=True)
class Turn:
    """Whose turn the pending step is for one user: their own (cover None) or as a stand-in."""

    cover: Cover | None = None

    @property
    def capacity(self) -> str | None:
        return self.cover.kind if self.cover else None


def turn(memo: Memo, user, standing: Standing = NO_STANDING) -> Turn | None:
    """May `user` act on the pending step, and in which capacity (None: not their turn).

    Their own step is theirs unless a stand-in acts for them (``acting``); a delegation
    leaves it theirs. Someone else's step is theirs when they stand in for its assignee.
    A person's own step comes first: a stand-in who is also the assignee acts as themselves.
    The same person may sign two steps of one round -- their own (say, as ปลัด) and the
    holder's (as รักษาราชการแทน นายก) -- but each by its own act, never one act for two.
    """
    pending = memo.pending_step
    if pending is None or user.id is None:
        return None
    if pending.assignee_id == user.id:
        return None if standing.replaced_by is not None else Turn()
    cover = standing.cover_for(pending.assignee_id)
    return Turn(cover) if cover is not None else None


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


def parse_action(value: str) -> Action:
    """The Action named by a client, or a validation error in Thai."""
    try:
        return Action(value)
    except ValueError:
        raise ValidationFailed("ไม่รู้จักคำสั่งนี้", {"action": "ไม่รู้จักคำสั่งนี้"}) from None


def _is(user, memo: Memo, who: Who, standing: Standing = NO_STANDING) -> bool:
    pending = memo.pending_step
    if who is Who.AUTHOR:
        return memo.author_id == user.id
    if who is Who.RECORDS:
        return user.has_role(Role.RECORDS)
    if turn(memo, user, standing) is None:
        return False
    if who is Who.OPINION_SIGNER:
        return pending.kind is StepKind.OPINION
    if who is Who.ORDER_SIGNER:
        return pending.kind is StepKind.ORDER
    return who is Who.PENDING_SIGNER


def check(memo: Memo, user, action: Action, standing: Standing = NO_STANDING) -> Transition:
    """The transition `user` may take, or the domain error that refuses it.

    `standing`: the appointments in force today that concern `user` (none by default).
    """
    rule = TRANSITIONS.get((memo.state, action))
    if rule is None:
        raise InvalidTransition(
            f"ไม่สามารถ{ACTION_LABELS[action.value]}หนังสือที่อยู่ในสถานะ \"{STATE_LABELS[memo.state]}\" ได้"
        )
    if not _is(user, memo, rule.who, standing):
        signed = any((s.assignee_id == user.id or s.signed_by_id == user.id) and s.status is not StepStatus.WAITING
                     and s.status is not StepStatus.PENDING for s in memo.round_steps)
        if rule.who is not Who.AUTHOR and rule.who is not Who.RECORDS and signed:
            # The step this user held was already recorded (often: a second click).
            raise InvalidTransition("ท่านได้ลงนามในขั้นตอนนี้ไปแล้ว")
        pending = memo.pending_step
        if (rule.who not in (Who.AUTHOR, Who.RECORDS) and standing.replaced_by is not None
                and pending is not None and pending.assignee_id == user.id):
            raise NotYourTurn("ขณะนี้มีผู้รักษาราชการแทนท่าน ท่านจะลงนามในขั้นนี้ได้เมื่อการแต่งตั้งสิ้นสุด")
        raise NotYourTurn("ยังไม่ถึงลำดับของท่าน หรือท่านไม่มีสิทธิ์ดำเนินการนี้")
    if action is A.WITHDRAW and any(s.signed_at for s in memo.round_steps):
        raise InvalidTransition("ดึงกลับไม่ได้ เพราะมีผู้ลงนามในรอบนี้แล้ว")
    return rule


def allowed_actions(memo: Memo, user, standing: Standing = NO_STANDING) -> list[Action]:
    """Actions the user may take now (for showing buttons)."""
    result = []
    for (state, action) in TRANSITIONS:
        if state is memo.state:
            try:
                check(memo, user, action, standing)
            except (InvalidTransition, NotYourTurn):
                continue
            result.append(action)
    return result


def validate_input(rule: Transition, action: Action, comment: str, decision: str | None) -> Decision | None:
    """Check what the action carries (comment length and presence, the order's decision).

    Every problem is reported at once, by field; the message names them all.
    """
    problems: list[tuple[str, str, str]] = []  # (field, message for the field, overall message)
    if len(comment) > COMMENT_MAX:
        problems.append(("comment", f"ไม่เกิน {COMMENT_MAX:,} ตัวอักษร", "ข้อความยาวเกินกำหนด"))
    elif sum(1 for line in comment.splitlines() if line.strip()) > COMMENT_LINES_MAX:
        problems.append(("comment", f"ไม่เกิน {COMMENT_LINES_MAX:,} บรรทัด", "ข้อความมีบรรทัดมากเกินกำหนด"))
    elif rule.comment_required and not comment.strip():
        what = "เหตุผลที่ส่งคืน" if action is A.RETURN else "ความเห็น"
        problems.append(("comment", f"กรุณากรอก{what}", f"กรุณากรอก{what}"))
    chosen = None
    if action is A.ORDER:
        try:
            chosen = Decision(decision or "")
        except ValueError:
            problems.append(("decision", "กรุณาเลือกคำสั่ง", "กรุณาเลือกคำสั่ง: ทราบ อนุมัติ ไม่อนุมัติ หรืออื่น ๆ"))
        if chosen is Decision.OTHER and not comment.strip() and not problems:
            problems.append(("comment", "กรุณากรอกข้อความคำสั่ง", "กรุณากรอกข้อความคำสั่ง"))
    if problems:
        raise ValidationFailed(" และ ".join(message for _, _, message in problems),
                               {field: text for field, text, _ in problems})
    return chosen


def chain_problems(kinds: Sequence[StepKind], active: Sequence[bool]) -> dict[str, str]:
    """What makes a chain unusable, by field ("chain", "chain.<i>.assignee"); empty when valid.

    A chain has at least one step, exactly one order step, the order step last, and only
    active signers. The admin's editor and the submission both ask here.
    """
    problems: dict[str, str] = {}
    if not kinds:
        problems["chain"] = "ต้องมีอย่างน้อยหนึ่งขั้น"
    elif len(kinds) > limits.CHAIN_STEPS_MAX:
        problems["chain"] = f"มีได้ไม่เกิน {limits.CHAIN_STEPS_MAX} ขั้น"
    elif kinds[-1] is not StepKind.ORDER or list(kinds).count(StepKind.ORDER) != 1:
        problems["chain"] = "ต้องมีขั้นสั่งการหนึ่งขั้น และต้องเป็นขั้นสุดท้าย"
    for i, is_active in enumerate(active):
        if not is_active:
            problems[f"chain.{i}.assignee"] = "ผู้ลงนามต้องเป็นผู้ใช้ที่ใช้งานอยู่ของหน่วยงานนี้"
    return problems
