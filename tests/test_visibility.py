"""Who may read a memo: Memo.can_view (Python) and memos.visible_query (SQL) are one rule.

A generated organisation -- people with every mix of roles, a chain that changes between
memos, memos in every state the chain reaches without an order, resubmitted and withdrawn
ones -- and every memo x user pair, the second organisation's people included.
"""

from __future__ import annotations

import itertools
import random

import sqlalchemy as sa

from approval.extensions import db
from approval.models import Memo, Role, StepKind, User
from approval.services import memos, organizations

PASSWORD = "a-long-test-password-9"
ROLE_MIXES = [["officer"], ["reviewer"], ["executive"], ["records"], ["admin"], ["officer", "reviewer"],
              ["reviewer", "executive"], ["officer", "records"]]
MEMO = {"department": "สำนักปลัด", "date": "2024-05-01", "subject": "ทดสอบการมองเห็น",
        "addressee": "นายก", "sections": [{"title": "เรื่องเดิม", "body": "ข้อความ"}], "closing": "จึงเรียนมา"}


def _generated_org(rng: random.Random):
    org = organizations.create_org(db.session, name="อบต.ทดลอง", district="เมือง", province="ขอนแก่น",
                                   prefix="ทล")
    people = [
        organizations.create_user(db.session, org, username=f"p{i}", full_name=f"ผู้ใช้ {i}", position="ตำแหน่ง",
                                  roles=mix, password=PASSWORD, enforce_policy=False)
        for i, mix in enumerate(ROLE_MIXES * 2)
    ]
    return org, people


def _new_chain(org, people, rng: random.Random) -> None:
    signers = rng.sample(people, rng.randint(1, 4))
    links = [(f"ขั้น {i}", StepKind.OPINION.value, p) for i, p in enumerate(signers[:-1])]
    links.append(("สั่งการ", StepKind.ORDER.value, signers[-1]))
    organizations.set_chain(db.session, org, links)


def _act_randomly(memo: Memo, rng: random.Random) -> None:
    """A few moves that stop short of the order (which would print the PDF)."""
    for _ in range(rng.randint(0, 5)):
        pending = memo.pending_step
        options = []
        if memo.state.value in ("draft", "returned"):
            options += [(memo.author, "submit")] * 3 + [(memo.author, "cancel")]
        if memo.state.value == "in_review" and pending is not None:
            options.append((memo.author, "withdraw"))
            options.append((pending.assignee, "return"))
            if pending.kind is StepKind.OPINION:
                options += [(pending.assignee, "forward")] * 2
        if not options:
            return
        user, action = rng.choice(options)
        try:
            memos.act(db.session, memo, user, action, comment="ความเห็น", password=PASSWORD)
        except Exception:  # noqa: BLE001 - a refused move (withdraw after a signature) is fine here
            db.session.rollback()
            return
        db.session.commit()


def test_can_view_and_visible_query_agree_on_every_memo_and_user(seeded):
    rng = random.Random(20261204)
    org, people = _generated_org(rng)
    db.session.commit()
    for n in range(24):
        if n % 4 == 0:
            _new_chain(org, people, rng)
            db.session.commit()
        author = rng.choice([p for p in people if Role.OFFICER in p.roles] + people[:2])
        memo = memos.create_memo(db.session, author, {**MEMO, "subject": f"ทดสอบการมองเห็น {n}"})
        db.session.commit()
        _act_randomly(memo, rng)

    everyone = list(db.session.scalars(sa.select(User)))
    all_memos = list(db.session.scalars(sa.select(Memo)))
    states = {m.state.value for m in all_memos if m.organization_id == org.id}
    assert {"draft", "in_review", "returned"} <= states  # the generator reached the interesting states
    checked = 0
    for user in everyone:
        visible = set(db.session.scalars(memos.visible_query(user).with_only_columns(Memo.id)))
        for memo in all_memos:
            assert memo.can_view(user) == (memo.id in visible), (user.username, memo.id, memo.state, memo.round)
            checked += 1
    assert checked == len(everyone) * len(all_memos) > 500
    # and the rule is not trivially "everything" or "nothing"
    pairs = [(u, m) for u, m in itertools.product(everyone, all_memos) if m.organization_id == org.id]
    seen = [m.can_view(u) for u, m in pairs]
    assert any(seen) and not all(seen)
