"""The reference chain, signed: a decided memo (without its 49-project report unless asked, so
that each test renders a short PDF)."""

from __future__ import annotations

import pytest

from approval.extensions import db
from tests.helpers import PATHS, act, reference_memo


def run_chain(state: str, *, with_report: bool = False):
    memo = reference_memo()
    if not with_report and memo.plan_report is not None:
        db.session.delete(memo.plan_report)
        db.session.commit()
        db.session.expire(memo)
    for username, action in PATHS[state]:
        act(memo, username, action, comment="เห็นควรนำเสนอ", decision="approve")
    return memo


@pytest.fixture()
def decided(seeded):
    return run_chain("decided")
