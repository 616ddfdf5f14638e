"""The chain's effects: what happens when the rulebook allows a move.

:mod:`approval.workflow` decides whether a move is allowed (``check``, once per action);
:func:`apply` then makes it happen -- opens a round with its step rows and the memo's number,
signs or returns the pending step, records the decision -- and writes the one event that
says so, in the same transaction. It flushes nothing; the request commits once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from .. import workflow
from ..errors import ValidationFailed
from ..models import ChainStep, Event, Memo, Step, StepDecision, StepStatus
from ..thai import utcnow
from ..workflow import Action, Transition, Turn, chain_problems, validate_input
from ..writing.diff import snapshot
from . import appointments, audit, numbering, signing


def _start_round(session: Session, memo: Memo, chain: list[ChainStep], now: dt.datetime) -> None:
    if not chain:
        raise ValidationFailed("หน่วยงานยังไม่ได้กำหนดสายการลงนาม กรุณาติดต่อผู้ดูแลระบบ")
    problems = chain_problems([c.kind for c in chain], [c.assignee.is_active for c in chain],
                              [c.group for c in chain], [c.assignee_id for c in chain])
    if "chain" in problems:
        raise ValidationFailed(f"สายการลงนามไม่ถูกต้อง: {problems['chain']} กรุณาติดต่อผู้ดูแลระบบ")
    if problems:
        raise ValidationFailed("ผู้ลงนามบางคนในสายการลงนามถูกปิดการใช้งาน กรุณาติดต่อผู้ดูแลระบบ")
    memo.round += 1
    opening = {id(link) for link in workflow.first_stage(chain)}
    for seq, link in enumerate(chain, start=1):
        memo.steps.append(Step(
            organization_id=memo.organization_id, round=memo.round, seq=seq, title=link.title,
            kind=link.kind, assignee_id=link.assignee_id, assignee=link.assignee, group=link.group,
            status=StepStatus.PENDING if id(link) in opening else StepStatus.WAITING, comment="",
        ))
    if memo.number is None:
        memo.number_year, memo.number_seq, memo.number = numbering.next_number(
            session, memo.organization, now
        )


def _point_at_pending(memo: Memo) -> None:
    """Point the memo at its pending step (or at none): the inbox reads these two columns."""
    pending = memo.pending_step
    memo.current_step = pending.seq if pending else None
    memo.pending_assignee_id = pending.assignee_id if pending else None


def apply(
    session: Session,
    memo: Memo,
    user,
    action: Action,
    rule: Transition,
    *,
    comment: str = "",
    decision: str | None = None,
    chain: list[ChainStep] | None = None,
    confirmed: bool = False,
    turn: Turn | None = None,
) -> Event:
    """Carry out `action`, already allowed by ``workflow.check`` as `rule`, and record its event.

    `turn` (``workflow.turn``): which pending step the user acts on and in which capacity; a
    stand-in's signature records the appointment it was made under, which must still be in
    force (``appointments.use``), and on whose behalf.

    A forward in a group opens the next stage only when the group's last step signs; a return
    closes the group's other pending steps as not needed, each with its own event. The memo
    row changes with every act (``updated_at``), so two signers of one group at once meet at
    its version: the one who flushes second is refused or retried (``memos.act``), never both
    left thinking the other still pending.
    """
    comment = (comment or "").strip()
    chosen = validate_input(rule, action, comment, decision)
    now = utcnow()
    from_state = memo.state
    step = workflow.turn_step(memo, turn) if turn is not None else memo.pending_step
    if step is None and action in (Action.FORWARD, Action.RETURN, Action.ORDER):
        step = memo.pending_step
    skipped: list[Step] = []
    data = {"confirmed": True} if confirmed else {}
    if action is Action.SUBMIT:
        _start_round(session, memo, chain or [], now)
        step = memo.pending_step
        # The author signs by submitting: their block is kept as it is now.
        data["author"] = block = signing.snapshot(session, user)
        memo.author_name, memo.author_position = block["full_name"], block["position"]
        memo.author_signature_sha256 = block["signature_sha256"]
        # The text this round is signed on: the next round's signers see what changed since (writing.service).
        data["content"] = snapshot(memo)
    elif action in (Action.FORWARD, Action.RETURN, Action.ORDER):
        step.comment = comment
        step.signed_at = now
        step.confirmed = confirmed
        # The signing block as it is now is what the step keeps and the PDF prints.
        data["signer"] = block = signing.snapshot(session, user)
        step.signer_name, step.signer_position = block["full_name"], block["position"]
        step.signature_sha256 = block["signature_sha256"]
        step.signed_by_id = user.id
        cover = turn.cover if turn is not None else None
        if cover is not None:
            appointments.use(session, cover)
            step.capacity, step.appointment_id = cover.kind, cover.appointment_id
            step.on_behalf_of_id, step.on_behalf_of_position = step.assignee_id, step.assignee.position
            data["capacity"] = {"kind": cover.kind, "on_behalf_of": step.assignee_id,
                                "position": step.assignee.position, "appointment_id": cover.appointment_id}
        if action is Action.FORWARD:
            step.status, step.decision = StepStatus.DONE, StepDecision.FORWARD
            steps = memo.round_steps
            if workflow.stage_complete(steps, step):
                for following in workflow.next_stage(steps, step):
                    following.status = StepStatus.PENDING
        elif action is Action.RETURN:
            step.status, step.decision = StepStatus.RETURNED, StepDecision.RETURN
            skipped = [s for s in memo.pending_steps if s is not step]
            for other in skipped:
                other.status = StepStatus.SKIPPED
        else:
            step.status, step.decision = StepStatus.DONE, StepDecision(chosen.value)
            memo.decision, memo.decided_at = chosen, now
    elif action is Action.WITHDRAW:
        for s in memo.round_steps:
            memo.steps.remove(s)
            session.delete(s)
        memo.round -= 1
        step = None
    elif action is Action.ARCHIVE:
        memo.archived_at = now
    memo.state = rule.to
    memo.updated_at = now  # every act changes the memo row: its version guards the race
    _point_at_pending(memo)
    if chosen is not None:
        data["decision"] = chosen.value
    event = audit.record_event(
        session, organization_id=memo.organization_id, memo=memo, actor=user, action=action.value,
        from_state=from_state.value, to_state=memo.state.value, round=memo.round or None,
        step=step.seq if step is not None and action is not Action.SUBMIT else None,
        comment=comment, data=data, at=now,
    )
    # The group's other pending steps, closed as not needed: their events follow the return's
    # once it is final (close_skipped, after the signature joins the return's event).
    session.info.setdefault("closed_steps", []).extend((memo, other.seq, other.assignee_id, step.seq)
                                                       for other in skipped)
    return event


def close_skipped(session: Session, memo: Memo, user, at: dt.datetime | None = None) -> None:
    """Record one ``close_step`` event for each step a return closed as not needed.

    Called once the return's own event is final (its signature recomputes its hash), so that
    these link to it.
    """
    pending = session.info.pop("closed_steps", [])
    for closed_memo, seq, assignee_id, by_step in pending:
        if closed_memo is not memo:
            continue
        audit.record_event(
            session, organization_id=memo.organization_id, memo=memo, actor=user, action="close_step",
            from_state=memo.state.value, to_state=memo.state.value, round=memo.round, step=seq,
            data={"reason": "returned", "by_step": by_step, "assignee_id": assignee_id}, at=at or utcnow(),
        )
