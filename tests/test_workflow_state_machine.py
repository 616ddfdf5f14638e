"""The signing chain as a Hypothesis state machine: random people take random actions.

Each example starts from a wiped, freshly seeded database, creates up to three memos and
acts on them through `memos.act` (the same door as pages, API and command line), now and
then editing through `memos.update_memo`. A small independent model of the rulebook (the
author submits, withdraws, cancels and edits; each signer acts on their own pending step;
the records officer archives) predicts every outcome, and after every step the invariants
below are checked against what the database holds:

* a memo's state is what its events imply (the last state-changing event's to_state;
  create/edit/plan_report keep the state), and the events chain from_state -> to_state;
* pending steps only in the current round, exactly when in review: one, or the unsigned
  steps of a group pending together (parallel opinions; a second machine runs the reference
  organisation with head and deputy in one group); current_step and pending_assignee_id
  point at the first (None without one); a return closes the group's others as skipped;
* registry numbers are unique per organisation and year, run 1..n without gaps, and never
  change (or disappear) once given;
* a decided or archived memo never changes: decision, decided_at, steps (status, comment,
  signed_at, ...), frozen document and its SHA-256; archiving only sets state/archived_at;
  a cancelled memo never changes either;
* a refused action (DomainError) changes nothing: every table is the same after rollback.

The order's PDF is replaced by a small fixed byte string per memo (the real renderer is
covered by test_workflow.py and tests/pdf); nothing else is mocked.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from approval import signatures, workflow
from approval.cli import seed_demo
from approval.demo import reference
from approval.errors import (
    ConfirmationFailed,
    DomainError,
    InvalidTransition,
    NotYourTurn,
    ValidationFailed,
)
from approval.extensions import db
from approval.models import Decision, Memo, MemoState, NumberCounter, StepStatus, User
from approval.services import audit, documents, memos

from .conftest import PASSWORD, _wipe

ACTORS = ["legal", "head", "deputy", "mayor", "records", "admin", "org2.legal"]
ACTIONS = [a.value for a in workflow.Action] + ["edit"]  #: edit: memos.update_memo, the comment as subject
CHAIN = ["head", "deputy", "mayor"]  #: the reference organisation's chain; the last step orders
#: The chain as stages: the steps pending together (one each, unless they share a group).
STAGES = [["head"], ["deputy"], ["mayor"]]
GROUPED = [["head", "deputy"], ["mayor"]]  #: head and deputy give their opinions side by side
KEEPS_STATE = {"create", "edit", "plan_report", "close_step"}
MAX_MEMOS = 3  #: the seeded reference memo included

#: The rulebook, written independently of workflow.TRANSITIONS.
ADMITS = {
    "draft": {"submit", "cancel"},
    "returned": {"submit", "cancel"},
    "in_review": {"forward", "return", "withdraw", "order"},
    "decided": {"archive"},
    "archived": set(),
    "cancelled": set(),
}
SIGNING = {"forward", "return", "order"}
PROGRESS = {"submit", "forward", "order", "archive"}

THAI_COMMENTS = ["เห็นควรนำเสนอ", "กรุณาแก้ไขตัวเลขในตาราง", "ให้นำเสนอในที่ประชุมประจำเดือน", "ทราบ ดำเนินการ"]
THAI_TEXT = st.text(
    alphabet=st.one_of(st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B,
                                     categories=("Lo", "Lm", "Mn", "Nd", "Po")), st.just(" ")),
    min_size=1, max_size=40,
)
COMMENTS = st.one_of(st.just(""), st.just("  "), st.sampled_from(THAI_COMMENTS), THAI_TEXT)
DECISIONS = st.one_of(st.none(), st.sampled_from([d.value for d in Decision]))
PASSWORDS = st.sampled_from([PASSWORD, PASSWORD, PASSWORD, PASSWORD, "wrong-pass-123", None])


@dataclass
class Model:
    author: str
    state: str = "draft"
    pending: set = field(default_factory=set)  #: usernames of the pending signers
    signed: set = field(default_factory=set)  #: who signed in the current round
    stages: list = field(default_factory=lambda: STAGES)


def expected(m: Model, actor: str, action: str, comment: str, decision: str | None, password):
    """None when the action must succeed, else the DomainError class that must refuse it."""
    if action == "edit":  # the author's, in draft or returned only
        if actor != m.author:
            return NotYourTurn
        if m.state not in ("draft", "returned"):
            return InvalidTransition
        return None if comment.strip() else ValidationFailed
    if action not in ADMITS[m.state]:
        return InvalidTransition
    if action in ("submit", "cancel", "withdraw"):
        mine = actor == m.author
    elif action == "archive":
        mine = actor == "records"
    elif action == "order":
        mine = actor in m.pending and actor == m.stages[-1][-1]
    elif action == "forward":
        mine = actor in m.pending and actor != m.stages[-1][-1]
    else:  # return: whoever holds a pending step
        mine = actor in m.pending
    if not mine:
        if action in SIGNING and actor in m.signed:
            return InvalidTransition  # already signed in this round
        return NotYourTurn
    if action == "withdraw" and m.signed:
        return InvalidTransition
    text = comment.strip()
    invalid = ((action in ("forward", "return") and not text)
               or (action == "order" and (decision is None or (decision == "other" and not text))))
    if invalid:  # with a wrong password too: one answer names both (issue 21)
        return ValidationFailed
    if action in SIGNING and password != PASSWORD:
        return ConfirmationFailed
    return None


def advance(m: Model, actor: str, action: str) -> None:
    if action == "submit":
        m.state, m.pending, m.signed = "in_review", set(m.stages[0]), set()
    elif action == "forward":
        m.signed.add(actor)
        m.pending.discard(actor)
        if not m.pending:  # the stage is complete: the next one opens
            index = next(i for i, stage in enumerate(m.stages) if actor in stage)
            m.pending = set(m.stages[index + 1])
    elif action == "return":
        m.state, m.pending, m.signed = "returned", set(), set()
    elif action == "withdraw":
        m.state, m.pending = "draft", set()
    elif action == "order":
        m.state, m.pending = "decided", set()
    elif action == "archive":
        m.state = "archived"
    elif action == "cancel":
        m.state = "cancelled"


def fake_render(memo: Memo) -> bytes:
    return f"%PDF-1.4 memo {memo.id} {memo.decided_at.isoformat()}".encode()


#: Where a refused attempt is meant to leave its trace (the security log and its counters).
REFUSAL_RECORDS = frozenset({"security_event", "login_throttle"})


def db_snapshot() -> dict:
    """Every row of every table, as the database holds it (but the records of refusals)."""
    result = {}
    for table in db.metadata.sorted_tables:
        if table.name in REFUSAL_RECORDS:
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        result[table.name] = [tuple(row) for row in db.session.execute(sa.select(table).order_by(*order))]
    return result


def step_rows(memo: Memo) -> list:
    return [(s.id, s.round, s.seq, s.assignee_id, s.status, s.decision, s.comment, s.signed_at, s.confirmed)
            for s in memo.steps]


class WorkflowMachine(RuleBasedStateMachine):
    STAGES = STAGES

    def __init__(self):
        super().__init__()
        self.models: dict[int, Model] = {}
        self.user_ids: dict[str, int] = {}
        self.numbers: dict[int, tuple] = {}  #: memo id -> (number, year, seq) once given
        self.frozen: dict[int, tuple] = {}  #: memo id -> what a decided memo must keep
        self.cancelled: dict[int, tuple] = {}
        self.archived: dict[int, object] = {}  #: memo id -> archived_at

    @initialize()
    def seed(self):
        db.session.remove()
        _wipe()
        seed_demo(PASSWORD)
        self.user_ids = {u.username: u.id for u in db.session.scalars(sa.select(User))}
        if self.STAGES != STAGES:  # the default chain with groups: the stages as given
            from approval.services import chains

            legal = db.session.get(User, self.user_ids["legal"])
            default = chains.ensure_default(db.session, legal.organization)
            titles = {s.assignee_id: s.title for s in default.steps}
            steps = [{"title": titles[self.user_ids[name]], "assignee_id": self.user_ids[name],
                      "kind": "order" if name == self.STAGES[-1][-1] else "opinion",
                      "group": number if len(stage) > 1 else None}
                     for number, stage in enumerate(self.STAGES, start=1) for name in stage]
            chains.save_chain(db.session, legal.organization, {"steps": steps}, chain=default)
            db.session.commit()
        first = db.session.scalar(sa.select(Memo).where(Memo.author_id == self.user_ids["legal"]))
        self.models[first.id] = Model(author="legal", stages=self.STAGES)

    def teardown(self):
        db.session.rollback()
        db.session.remove()
        _wipe()

    def _user(self, username: str) -> User:
        return db.session.get(User, self.user_ids[username])

    # --- rules -----------------------------------------------------------------------------

    @precondition(lambda self: len(self.models) < MAX_MEMOS)
    @rule(author=st.sampled_from(["legal", "legal", "legal", "head"]))
    def create(self, author):
        data = dict(reference.MEMO, subject=f"บันทึกข้อความทดสอบ ฉบับที่ {len(self.models) + 1}")
        memo = memos.create_memo(db.session, self._user(author), data)
        db.session.commit()
        assert memo.state is MemoState.DRAFT and memo.number is None
        self.models[memo.id] = Model(author=author, stages=self.STAGES)

    @rule(index=st.integers(0, MAX_MEMOS - 1), actor=st.sampled_from(ACTORS), action=st.sampled_from(ACTIONS),
          comment=COMMENTS, decision=DECISIONS, password=PASSWORDS)
    def act_at_random(self, index, actor, action, comment, decision, password):
        self._act(index, actor, action, comment, decision, password)

    @rule(index=st.integers(0, MAX_MEMOS - 1), data=st.data())
    def act_plausibly(self, index, data):
        """Someone the rulebook allows, with (mostly) valid input: gets memos to the order and beyond."""
        m = self.models[sorted(self.models)[index % len(self.models)]]
        pairs = [(actor, action) for actor in ACTORS for action in ACTIONS
                 if expected(m, actor, action, "ok", "approve", PASSWORD) is None]
        pairs += [p for p in pairs if p[1] in PROGRESS] * 10
        if not pairs:
            pairs = [(m.author, "submit")]
        actor, action = data.draw(st.sampled_from(pairs), label="actor, action")
        comment = data.draw(st.one_of(st.sampled_from(THAI_COMMENTS), THAI_TEXT), label="comment")
        decision = data.draw(st.sampled_from([d.value for d in Decision]), label="decision")
        password = data.draw(st.sampled_from([PASSWORD] * 9 + ["wrong-pass-123"]), label="password")
        self._act(index, actor, action, comment, decision, password)

    def _act(self, index, actor, action, comment, decision, password):
        memo_id = sorted(self.models)[index % len(self.models)]
        m = self.models[memo_id]
        want = expected(m, actor, action, comment, decision, password)
        before = db_snapshot()
        memo = db.session.get(Memo, memo_id)
        state_before = memo.state.value
        try:
            if action == "edit":
                memos.update_memo(db.session, memo, self._user(actor), {"subject": comment})
            else:
                memos.act(db.session, memo, self._user(actor), action, comment=comment, decision=decision,
                          password=password)
        except DomainError as exc:
            db.session.rollback()
            assert db_snapshot() == before, f"refused {action} by {actor} ({type(exc).__name__}) left a trace"
            assert want is not None, f"{action} by {actor} on {state_before} refused: {exc.message}"
            assert isinstance(exc, want), f"{action} by {actor} on {state_before}: {type(exc).__name__}, want {want}"
            event(f"refused: {type(exc).__name__}")  # --hypothesis-show-statistics
            return
        db.session.commit()
        assert want is None, f"{action} by {actor} on {state_before} succeeded, want {want.__name__}"
        advance(m, actor, action)
        event(f"{action}: {state_before} -> {m.state}")
        db.session.expire_all()
        memo = db.session.get(Memo, memo_id)
        last = [e for e in memo.events if e.action != "close_step"][-1]
        assert (last.action, last.actor_id, last.from_state, last.to_state) == (
            action, self.user_ids[actor], state_before, m.state)
        if action == "edit":
            assert memo.subject == unicodedata.normalize("NFC", comment).strip()

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def database_agrees(self):
        db.session.expire_all()
        all_memos = list(db.session.scalars(sa.select(Memo).order_by(Memo.id)))
        assert sorted(m.id for m in all_memos) == sorted(self.models)
        for memo in all_memos:
            self._check_memo(memo, self.models[memo.id])
        self._check_numbers(all_memos)
        assert audit.verify_chain(db.session) == []

    def _check_memo(self, memo: Memo, m: Model) -> None:
        state = memo.state.value
        assert state == m.state, (memo.id, state, m)

        # The state is what the events imply, and they chain from_state -> to_state.
        assert (memo.events[0].action, memo.events[0].to_state) == ("create", MemoState.DRAFT.value)
        implied = MemoState.DRAFT.value
        for ev in memo.events:
            if ev.action in KEEPS_STATE:
                assert ev.to_state == implied and ev.from_state in (None, implied), (memo.id, ev.action)
                continue
            assert ev.from_state == implied, (memo.id, ev.action, ev.from_state, implied)
            implied = ev.to_state
        assert implied == state, (memo.id, implied, state)

        # The pending steps (one, or a group's unsigned ones), in the current round, exactly while in review.
        pending = [s for s in memo.steps if s.status is StepStatus.PENDING]
        assert all(s.round == memo.round for s in pending), (memo.id, pending)
        assert len(pending) <= max(len(stage) for stage in m.stages)
        assert bool(pending) == (memo.state is MemoState.IN_REVIEW)
        assert {s.assignee_id for s in pending} == {self.user_ids[name] for name in m.pending}
        if pending:
            assert (memo.current_step, memo.pending_assignee_id) == (pending[0].seq, pending[0].assignee_id)
            assert len({s.group for s in pending}) == 1 and (len(pending) == 1 or pending[0].group is not None)
        else:
            assert (memo.current_step, memo.pending_assignee_id) == (None, None)
        # A step closed as not needed: only beside the step that returned its round, with its event.
        for skipped in (s for s in memo.steps if s.status is StepStatus.SKIPPED):
            mates = [s for s in memo.steps if s.round == skipped.round and s.group == skipped.group]
            assert any(s.status is StepStatus.RETURNED for s in mates), (memo.id, skipped)
            assert any(e.action == "close_step" and e.round == skipped.round and e.step == skipped.seq
                       for e in memo.events)

        # Decided and archived memos are frozen; archiving only adds archived_at.
        if memo.state in (MemoState.DECIDED, MemoState.ARCHIVED):
            doc = memo.document
            assert doc is not None and doc.sha256 == hashlib.sha256(doc.content).hexdigest()
            assert memo.decision is not None and memo.decided_at is not None
            kept = (memo.decision, memo.decided_at, memo.round, memo.number, step_rows(memo), doc.id, doc.sha256,
                    doc.content)
            self.frozen.setdefault(memo.id, kept)
            assert kept == self.frozen[memo.id], f"decided memo {memo.id} changed"
            assert (memo.archived_at is not None) == (memo.state is MemoState.ARCHIVED)
            if memo.archived_at is not None:
                assert self.archived.setdefault(memo.id, memo.archived_at) == memo.archived_at
            after = [e.action for e in memo.events[[e.action for e in memo.events].index("order") + 1:]]
            assert after in ([], ["archive"]), after
        else:
            assert memo.id not in self.frozen, f"memo {memo.id} left {self.frozen[memo.id]} for {state}"
            assert memo.decision is None and memo.decided_at is None and memo.archived_at is None
            assert memo.document is None
        if memo.state is MemoState.CANCELLED:
            kept = (memo.round, memo.number, step_rows(memo), len(memo.events))
            assert self.cancelled.setdefault(memo.id, kept) == kept, f"cancelled memo {memo.id} changed"

    def _check_numbers(self, all_memos: list[Memo]) -> None:
        by_year: dict[tuple, list] = {}
        for memo in all_memos:
            if memo.id in self.numbers:
                assert (memo.number, memo.number_year, memo.number_seq) == self.numbers[memo.id], memo.id
            if memo.number is None:
                assert memo.number_year is None and memo.number_seq is None
                assert memo.round == 0, memo.id  # a number is given at the first submission
                continue
            self.numbers.setdefault(memo.id, (memo.number, memo.number_year, memo.number_seq))
            by_year.setdefault((memo.organization_id, memo.number_year), []).append(memo)
        for (org_id, year), numbered in by_year.items():
            seqs = sorted(memo.number_seq for memo in numbered)
            assert seqs == list(range(1, len(seqs) + 1)), (org_id, year, seqs)  # unique, no gaps
            assert len({memo.number for memo in numbered}) == len(numbered)
            counter = db.session.get(NumberCounter, (org_id, year))
            assert counter is not None and counter.last_value == len(seqs)


SETTINGS = settings(max_examples=25, stateful_step_count=20, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def test_workflow_state_machine(ctx, monkeypatch):
    from approval.services import throttle

    monkeypatch.setattr(documents, "render", fake_render)
    # The rulebook, not the confirmation throttle (test_auth_hardening): wrong passwords are never delayed here.
    monkeypatch.setattr(throttle, "reserve", lambda key, message: 0)
    monkeypatch.setattr(throttle, "clear", lambda key: None)
    monkeypatch.setattr(signatures, "seal_document", lambda *args: None)  # (a fake render is no PDF to seal)
    run_state_machine_as_test(WorkflowMachine, settings=SETTINGS)


class GroupedWorkflowMachine(WorkflowMachine):
    """The same machine on a chain whose head and deputy give their opinions side by side."""

    STAGES = GROUPED


def test_workflow_state_machine_with_parallel_opinions(ctx, monkeypatch):
    from approval.services import throttle

    monkeypatch.setattr(documents, "render", fake_render)
    monkeypatch.setattr(throttle, "reserve", lambda key, message: 0)
    monkeypatch.setattr(throttle, "clear", lambda key: None)
    monkeypatch.setattr(signatures, "seal_document", lambda *args: None)
    run_state_machine_as_test(GroupedWorkflowMachine, settings=SETTINGS)
