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
