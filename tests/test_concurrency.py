"""Races: two people (or two clicks) on one step, and many first submissions at once."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from approval.errors import DomainError
from approval.extensions import db
from approval.models import Event, Memo, Step
from approval.services import memos

from .helpers import PASSWORD, act, reference_memo, user


def _race(app, memo_id: int, moves: list[tuple[str, str, str]]) -> list[str]:
    """Run each (username, action, comment) in its own thread and session, released together."""
    barrier = threading.Barrier(len(moves))
    results: list[str] = [""] * len(moves)

    def run(i, username, action, comment):
        with app.app_context():
            try:
                memo = db.session.get(Memo, memo_id)
                actor = user(username)
                _ = memo.steps, memo.organization, actor.roles  # load before the start line
                barrier.wait(timeout=60)
                memos.act(db.session, memo, actor, action, comment=comment, password=PASSWORD)
                db.session.commit()
                results[i] = "ok"
            except DomainError as exc:
                db.session.rollback()
                results[i] = f"{exc.status}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, *m)) for i, m in enumerate(moves)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_double_click_on_forward_records_one_step(seeded):
    memo = act(reference_memo(), "legal", "submit")
    results = _race(seeded, memo.id, [("head", "forward", "เห็นชอบ"), ("head", "forward", "เห็นชอบ")])
    assert sorted(results) == ["409", "ok"]
    db.session.expire_all()
    forwards = db.session.scalars(sa.select(Event).where(Event.memo_id == memo.id, Event.action == "forward")).all()
    assert len(forwards) == 1
    done = db.session.scalars(sa.select(Step).where(Step.memo_id == memo.id, Step.signed_at.is_not(None))).all()
    assert len(done) == 1


def test_forward_and_return_at_once_one_wins(seeded):
    memo = act(reference_memo(), "legal", "submit")
    results = _race(seeded, memo.id, [("head", "forward", "เห็นชอบ"), ("head", "return", "แก้ไข")])
    assert sorted(results) == ["409", "ok"]
    db.session.expire_all()
    fresh = db.session.get(Memo, memo.id)
    assert len([e for e in fresh.events if e.action in ("forward", "return")]) == 1


def test_author_withdraw_races_head_forward(seeded):
    memo = act(reference_memo(), "legal", "submit")
    results = _race(seeded, memo.id, [("head", "forward", "เห็นชอบ"), ("legal", "withdraw", "")])
    assert sorted(results) == ["409", "ok"]


def test_fifty_first_submissions_get_fifty_consecutive_numbers(seeded):
    legal = user("legal")
    source = reference_memo()
    ids = []
    for i in range(50):
        m = memos.create_memo(db.session, legal, {
            "department": source.department, "date": source.date, "subject": f"เรื่องทดสอบ {i}",
            "addressee": source.addressee, "sections": source.sections, "closing": source.closing})
        db.session.flush()
        ids.append(m.id)
    db.session.commit()
    barrier = threading.Barrier(50)
    errors = []

    def submit(memo_id):
        with seeded.app_context():
            try:
                memo = db.session.get(Memo, memo_id)
                author = user("legal")
                _ = memo.steps, memo.organization
                barrier.wait(timeout=60)
                memos.act(db.session, memo, author, "submit")
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(exc))
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    db.session.expire_all()
    seqs = sorted(db.session.scalars(sa.select(Memo.number_seq).where(Memo.id.in_(ids))))
    assert seqs == list(range(1, 51))


# --- parallel opinions: two signers of one group at once -------------------------------------

def _parallel_memo():
    from .helpers import parallel_default_chain

    parallel_default_chain(("head", "deputy"))
    memo = act(reference_memo(), "legal", "submit")
    assert sorted(s.assignee.username for s in memo.pending_steps) == ["deputy", "head"]
    return memo


def test_two_parallel_signers_racing_both_count_and_one_moves_the_memo_on(seeded):
    from approval.models import StepStatus
    from approval.services import audit

    memo = _parallel_memo()
    results = _race(seeded, memo.id, [("head", "forward", "เห็นควร"), ("deputy", "forward", "เห็นชอบ")])
    assert results == ["ok", "ok"]
    db.session.expire_all()
    fresh = db.session.get(Memo, memo.id)
    assert [s.status for s in fresh.round_steps] == [StepStatus.DONE, StepStatus.DONE, StepStatus.PENDING]
    assert fresh.pending_assignee_id == user("mayor").id and fresh.current_step == 3
    forwards = [e for e in fresh.events if e.action == "forward"]
    assert sorted(e.actor_id for e in forwards) == sorted([user("head").id, user("deputy").id])
    assert audit.verify_chain(db.session) == []
    act(fresh, "mayor", "order", decision="approve")  # the next stage is really open
    assert fresh.state.value in ("decided", "archived")


def test_a_return_while_another_signs_has_exactly_one_outcome_each(seeded):
    from approval.models import StepStatus
    from approval.services import audit

    memo = _parallel_memo()
    results = _race(seeded, memo.id, [("head", "return", "แก้ไขตัวเลข"), ("deputy", "forward", "เห็นชอบ")])
    db.session.expire_all()
    fresh = db.session.get(Memo, memo.id)
    head, deputy, mayor = fresh.round_steps
    assert results[0] == "ok" and fresh.state.value == "returned"
    assert head.status is StepStatus.RETURNED and mayor.status is StepStatus.WAITING
    if results[1] == "ok":  # the deputy signed first: their opinion stands, nothing to close
        assert deputy.status is StepStatus.DONE
        assert [e.action for e in fresh.events if e.action in ("forward", "close_step")] == ["forward"]
    else:  # the return came first: the deputy's step was closed, their forward refused (409)
        assert results[1] == "409" and deputy.status is StepStatus.SKIPPED and deputy.signed_at is None
        assert [e.action for e in fresh.events if e.action in ("forward", "close_step")] == ["close_step"]
    assert not fresh.pending_steps and fresh.pending_assignee_id is None
    assert audit.verify_chain(db.session) == []


def test_the_same_signer_twice_at_once_in_a_group_records_one_step(seeded):
    memo = _parallel_memo()
    results = _race(seeded, memo.id, [("head", "forward", "เห็นควร"), ("head", "forward", "เห็นควร")])
    assert sorted(results) == ["409", "ok"]
    db.session.expire_all()
    fresh = db.session.get(Memo, memo.id)
    assert len([e for e in fresh.events if e.action == "forward"]) == 1
    assert sorted(s.assignee.username for s in fresh.pending_steps) == ["deputy"]
