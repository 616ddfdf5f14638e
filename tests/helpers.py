"""Bring the reference memo into any state through the real services."""

from __future__ import annotations

import sqlalchemy as sa

from approval.extensions import db
from approval.models import Memo, User
from approval.services import memos

PASSWORD = "demo-pass-123"


def user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def reference_memo() -> Memo:
    legal = user("legal")
    return db.session.scalar(sa.select(Memo).where(Memo.author_id == legal.id).order_by(Memo.id))


def act(memo: Memo, username: str, action: str, comment: str = "", decision: str | None = None) -> Memo:
    memos.act(db.session, memo, user(username), action, comment=comment, decision=decision, password=PASSWORD)
    db.session.commit()
    return memo


#: The states of the matrix and the moves that reach each from a fresh draft.
PATHS = {
    "draft": [],
    "review_head": [("legal", "submit")],
    "review_deputy": [("legal", "submit"), ("head", "forward")],
    "review_mayor": [("legal", "submit"), ("head", "forward"), ("deputy", "forward")],
    "returned": [("legal", "submit"), ("head", "return")],
    "decided": [("legal", "submit"), ("head", "forward"), ("deputy", "forward"), ("mayor", "order")],
    "archived": [("legal", "submit"), ("head", "forward"), ("deputy", "forward"), ("mayor", "order"),
                 ("records", "archive")],
    "cancelled": [("legal", "cancel")],
}


def memo_in(state: str) -> Memo:
    memo = reference_memo()
    for username, action in PATHS[state]:
        act(memo, username, action, comment="เห็นควรนำเสนอ", decision="approve")
    return memo


def parallel_default_chain(grouped: tuple[str, ...] = ("head", "deputy")) -> None:
    """The reference organisation's default chain with `grouped` giving their opinions side by side
    (one group), then the mayor's order."""
    from approval.services import chains

    org = user("admin").organization
    default = chains.ensure_default(db.session, org)
    titles = {s.assignee_id: s.title for s in default.steps}
    steps = [{"title": titles.get(user(name).id, f"ความเห็น {name}"), "kind": "opinion",
              "assignee_id": user(name).id, "group": 1} for name in grouped]
    steps.append({"title": titles[user("mayor").id], "kind": "order", "assignee_id": user("mayor").id, "group": None})
    chains.save_chain(db.session, org, {"steps": steps}, chain=default)
    db.session.commit()
