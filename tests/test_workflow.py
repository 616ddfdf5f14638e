"""The rules of the signing chain, as one table of (state, action, actor) -> outcome.

Read ALLOWED as the rulebook: the author submits, withdraws and cancels; each signer acts
only on their own pending step; the records officer archives. Everything else is refused:
409 when the state does not allow the action at all (or the actor has already signed in
this round), 403 when it is simply not that person's turn. A refused move changes nothing.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from approval import workflow
from approval.errors import (
    ConfirmationFailed,
    DomainError,
    InvalidTransition,
    NotYourTurn,
    ValidationFailed,
)
from approval.extensions import db
from approval.models import Event, Memo, MemoState, Notification, StepStatus, User
from approval.services import audit, memos

from .helpers import PASSWORD, act, memo_in, reference_memo, user

ACTORS = ["legal", "head", "deputy", "mayor", "records", "admin", "org2.legal"]
ACTIONS = [a.value for a in workflow.Action]

#: (state, action, actor) -> the state it leads to. Nothing else is allowed.
ALLOWED = {
    ("draft", "submit", "legal"): "in_review",
    ("draft", "cancel", "legal"): "cancelled",
    ("review_head", "forward", "head"): "in_review",
    ("review_head", "return", "head"): "returned",
    ("review_head", "withdraw", "legal"): "draft",
    ("review_deputy", "forward", "deputy"): "in_review",
    ("review_deputy", "return", "deputy"): "returned",
    ("review_mayor", "order", "mayor"): "decided",
    ("review_mayor", "return", "mayor"): "returned",
    ("returned", "submit", "legal"): "in_review",
    ("returned", "cancel", "legal"): "cancelled",
    ("decided", "archive", "records"): "archived",
}

#: (state, action, actor) -> the notifications the move writes, as (kind, recipient). Every
#: other move -- refused, or allowed but rolled back -- writes none.
NOTIFIES = {
    ("draft", "submit", "legal"): {("turn", "head")},
    ("review_head", "forward", "head"): {("turn", "deputy")},
    ("review_head", "return", "head"): {("returned", "legal")},
    ("review_deputy", "forward", "deputy"): {("turn", "mayor")},
    ("review_deputy", "return", "deputy"): {("returned", "legal")},
    ("review_mayor", "order", "mayor"): {("decided", "legal"), ("decided", "head"), ("decided", "deputy"),
                                        ("to_archive", "records")},
    ("review_mayor", "return", "mayor"): {("returned", "legal")},
    ("returned", "submit", "legal"): {("turn", "head")},
}

#: Which actions a state admits at all (for someone); the rest are 409 for everyone.
STATE_ADMITS = {
    "draft": {"submit", "cancel"},
    "review_head": {"forward", "return", "withdraw", "order"},
    "review_deputy": {"forward", "return", "withdraw", "order"},
    "review_mayor": {"forward", "return", "withdraw", "order"},
    "returned": {"submit", "cancel"},
    "decided": {"archive"},
    "archived": set(),
    "cancelled": set(),
}
#: Who has already signed in the current round (acting again is a 409, not a 403).
SIGNED = {"review_deputy": {"head"}, "review_mayor": {"head", "deputy"}}


def expected(state: str, action: str, actor: str):
    if (state, action, actor) in ALLOWED:
        return ALLOWED[(state, action, actor)]
    if action not in STATE_ADMITS[state]:
        return InvalidTransition
    if action == "withdraw" and actor == "legal":  # someone has signed in this round
        return InvalidTransition
    if actor in SIGNED.get(state, ()) and action in ("forward", "return", "order"):
        return InvalidTransition
    return NotYourTurn


def _snapshot(memo: Memo):
    db.session.refresh(memo)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(Event.memo_id == memo.id))
    told = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    return memo.state, memo.version, memo.round, events, [(s.round, s.seq, s.status) for s in memo.steps], told


def _told_since(last_id: int) -> set[tuple[str, str]]:
    rows = db.session.execute(sa.select(Notification.kind, User.username).join(User, User.id == Notification.user_id)
                              .where(Notification.id > last_id))
    return {(kind.value, username) for kind, username in rows}


@pytest.mark.parametrize("state", list(STATE_ADMITS))
def test_transition_matrix(seeded, state):
    memo = memo_in(state)
    before = _snapshot(memo)
    last_told = db.session.scalar(sa.select(sa.func.max(Notification.id))) or 0
    outcomes, wanted = {}, {}
    for action in ACTIONS:
        for actor in ACTORS:
            wanted[(action, actor)] = expected(state, action, actor)
            try:
                memos.act(db.session, memo, user(actor), action, comment="ความเห็นทดสอบ", decision="approve",
                          password=PASSWORD)
                db.session.flush()
                outcomes[(action, actor)] = memo.state.value
                told = _told_since(last_told)
                assert told == NOTIFIES.get((state, action, actor), set()), (action, actor, told)
                last = db.session.scalar(
                    sa.select(Event).where(Event.memo_id == memo.id).order_by(Event.id.desc()).limit(1))
                assert last.action in (action, "archive") and last.actor_id in (user(actor).id, None)
            except DomainError as exc:
                outcomes[(action, actor)] = type(exc)
            db.session.rollback()
            assert _snapshot(memo) == before, f"{action} by {actor} left a trace"
    assert outcomes == wanted


def test_submit_gives_number_and_freezes_the_chain(seeded):
    memo = act(reference_memo(), "legal", "submit")
    assert memo.number == "นศ ๗๓๖๐๑/๑"
    assert [(s.seq, s.assignee.username, s.status) for s in memo.round_steps] == [
        (1, "head", StepStatus.PENDING), (2, "deputy", StepStatus.WAITING), (3, "mayor", StepStatus.WAITING)]
    # Changing the organisation's chain later never changes a memo in flight.
    from approval.services import organizations
    org = memo.organization
    organizations.set_chain(db.session, org, [("ความเห็นใหม่", "opinion", user("deputy")),
                                              ("คำสั่ง", "order", user("head"))])
    db.session.commit()
    db.session.refresh(memo)
    assert [s.assignee.username for s in memo.round_steps] == ["head", "deputy", "mayor"]
    act(memo, "head", "forward", comment="เห็นควรทราบ")
    assert memo.pending_step.assignee.username == "deputy"


def test_return_and_resubmit_starts_a_new_round_keeping_history(seeded):
    memo = act(reference_memo(), "legal", "submit")
    act(memo, "head", "return", comment="กรุณาแก้ไขตัวเลขในตาราง")
    assert memo.state is MemoState.RETURNED and memo.current_step is None
    act(memo, "legal", "submit")
    assert memo.round == 2 and memo.number == "นศ ๗๓๖๐๑/๑"  # the number never changes
    first = [s for s in memo.steps if s.round == 1]
    assert first[0].status is StepStatus.RETURNED and first[0].comment == "กรุณาแก้ไขตัวเลขในตาราง"
    assert [s.status for s in memo.round_steps] == [StepStatus.PENDING, StepStatus.WAITING, StepStatus.WAITING]


def test_the_whole_reference_chain(seeded):
    memo = act(reference_memo(), "legal", "submit")
    act(memo, "head", "forward", comment="เห็นควรนำเรียนนายกเพื่อโปรดทราบ")
    act(memo, "deputy", "forward", comment="เห็นควรทราบ")
    act(memo, "mayor", "order", decision="approve", comment="")
    assert memo.state is MemoState.DECIDED and memo.decision.value == "approve"
    assert memo.document is not None and len(memo.document.sha256) == 64
    assert [e.action for e in memo.events] == ["create", "plan_report", "submit", "forward", "forward", "order"]
    assert all(e.data.get("confirmed") for e in memo.events if e.action in ("forward", "order"))
    assert audit.verify_chain(db.session) == []


@pytest.mark.parametrize("action,comment,decision,field", [
    ("forward", "", None, "comment"),
    ("forward", "   ", None, "comment"),
    ("return", "", None, "comment"),
    ("forward", "ก" * 5001, None, "comment"),
])
def test_comments_are_required_where_the_contract_says(seeded, action, comment, decision, field):
    memo = act(reference_memo(), "legal", "submit")
    with pytest.raises(ValidationFailed) as info:
        memos.act(db.session, memo, user("head"), action, comment=comment, decision=decision, password=PASSWORD)
    assert field in info.value.fields


@pytest.mark.parametrize("decision,comment", [(None, ""), ("maybe", ""), ("other", "")])
def test_order_needs_a_decision_and_text_for_other(seeded, decision, comment):
    memo = memo_in("review_mayor")
    with pytest.raises(ValidationFailed):
        memos.act(db.session, memo, user("mayor"), "order", comment=comment, decision=decision, password=PASSWORD)


def test_order_other_with_text(seeded):
    memo = memo_in("review_mayor")
    act(memo, "mayor", "order", decision="other", comment="ให้นำเสนอในที่ประชุมประจำเดือน")
    assert memo.round_steps[-1].comment == "ให้นำเสนอในที่ประชุมประจำเดือน"


def test_signing_needs_the_signers_password(seeded):
    memo = memo_in("review_head")
    with pytest.raises(ConfirmationFailed):
        memos.act(db.session, memo, user("head"), "forward", comment="เห็นชอบ", password="wrong")
    with pytest.raises(ConfirmationFailed):
        memos.act(db.session, memo, user("head"), "forward", comment="เห็นชอบ", password=None)


def test_unknown_action_is_a_validation_error(seeded):
    with pytest.raises(ValidationFailed):
        memos.act(db.session, reference_memo(), user("legal"), "approve-everything")


def test_withdraw_returns_to_draft_before_anyone_acts(seeded):
    memo = act(reference_memo(), "legal", "submit")
    act(memo, "legal", "withdraw")
    assert memo.state is MemoState.DRAFT and memo.round == 0 and memo.number == "นศ ๗๓๖๐๑/๑"
    act(memo, "legal", "submit")
    assert memo.round == 1 and memo.number == "นศ ๗๓๖๐๑/๑"


def test_auto_archive_setting(seeded):
    memo = memo_in("review_mayor")
    memo.organization.settings = {**memo.organization.settings, "archive_mode": "auto"}
    db.session.commit()
    act(memo, "mayor", "order", decision="acknowledge")
    assert memo.state is MemoState.ARCHIVED
    assert [e.action for e in memo.events][-2:] == ["order", "archive"]


def test_state_equals_what_the_events_imply(seeded):
    memo = memo_in("returned")
    act(memo, "legal", "submit")
    act(memo, "head", "forward", comment="ok")
    assert memo.events[-1].to_state == memo.state.value
    pending = [s for s in memo.round_steps if s.status is StepStatus.PENDING]
    assert len(pending) == 1 and memo.current_step == pending[0].seq


# --- groups: opinions given side by side (chains per kind of memo) ---------------------------

def test_the_rulebook_gives_each_signer_of_a_group_their_own_step(seeded):
    from .helpers import parallel_default_chain

    parallel_default_chain(("head", "deputy"))
    memo = act(reference_memo(), "legal", "submit")
    head, deputy, mayor = user("head"), user("deputy"), user("mayor")
    assert workflow.turn(memo, head) == workflow.Turn(seq=1)
    assert workflow.turn(memo, deputy) == workflow.Turn(seq=2)
    assert workflow.turn(memo, mayor) is None
    assert workflow.allowed_actions(memo, head) == workflow.allowed_actions(memo, deputy) == [
        workflow.Action.FORWARD, workflow.Action.RETURN]
    assert workflow.check(memo, deputy, workflow.Action.FORWARD).to is MemoState.IN_REVIEW
    with pytest.raises(NotYourTurn):
        workflow.check(memo, mayor, workflow.Action.ORDER)
    # A stand-in for the deputy takes the deputy's step of the group, not the head's.
    cover = workflow.Cover(holder_id=deputy.id, kind="acting", appointment_id=1)
    standing = workflow.Standing(covers=(cover,))
    assert workflow.turn(memo, user("records"), standing) == workflow.Turn(cover, 2)
    assert workflow.turn(memo, deputy, workflow.Standing(replaced_by=user("records").id)) is None
    act(memo, "deputy", "forward", comment="เห็นชอบ")
    assert [s.status for s in memo.round_steps] == [StepStatus.PENDING, StepStatus.DONE, StepStatus.WAITING]
    assert (memo.current_step, memo.pending_assignee_id) == (1, head.id)
    assert workflow.stage_complete(memo.round_steps, memo.round_steps[1]) is False
    act(memo, "head", "forward", comment="เห็นควร")
    assert [s.status for s in memo.round_steps] == [StepStatus.DONE, StepStatus.DONE, StepStatus.PENDING]
    assert workflow.turn(memo, mayor) == workflow.Turn(seq=3)
