"""The archive: decided and archived memos, filtered and searched; the integrity check.

Who sees what: everyone signed in may open the archive, and sees exactly the memos
memos.visible_query allows: records officers, executives and administrators see every
decided/archived memo of their organisation; anyone else only those they wrote or were on
the chain of. Results never leave the caller's organisation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy.orm import Session, load_only, selectinload

from ..errors import ValidationFailed
from ..models import Decision, Memo, MemoDocument, MemoState, Role, Step, User
from . import anchors, audit, memos, search

ARCHIVE_STATES = (MemoState.DECIDED, MemoState.ARCHIVED)
PRIVILEGED = {Role.RECORDS, Role.EXECUTIVE, Role.ADMIN}
BE_OFFSET = 543


@dataclass
class ArchiveFilters:
    q: str = ""
    year: int | None = None  #: calendar year BE of the memo's date
    fiscal_year: int | None = None  #: fiscal year BE (1 Oct - 30 Sep) of the memo's date
    state: str | None = None  #: decided | archived | None (both)
    decision: str | None = None
    author_id: int | None = None
    person_id: int | None = None  #: the author or anyone on the chain


def _check(filters: ArchiveFilters) -> None:
    problems = {}
    if filters.state and filters.state not in {s.value for s in ARCHIVE_STATES}:
        problems["state"] = "สถานะต้องเป็น สั่งการแล้ว หรือ จัดเก็บแล้ว"
    if filters.decision and filters.decision not in {d.value for d in Decision}:
        problems["decision"] = "ผลการสั่งการไม่ถูกต้อง"
    for field in ("year", "fiscal_year"):
        value = getattr(filters, field)
        if value is not None and not 2543 <= value <= 2743:
            problems[field] = "ปี พ.ศ. ไม่ถูกต้อง"
    if problems:
        raise ValidationFailed("เงื่อนไขการค้นหาไม่ถูกต้อง", problems)


def archive_query(session: Session, user: User, filters: ArchiveFilters):
    """The SELECT of the visible decided/archived memos that match the filters."""
    _check(filters)
    if user.roles & PRIVILEGED:
        # visible_query adds "author or submitted", always true of a decided/archived memo.
        query = sa.select(Memo).where(Memo.organization_id == user.organization_id)
    else:
        query = memos.visible_query(user)
    if filters.state:
        query = query.where(Memo.state == MemoState(filters.state))
    else:
        query = query.where(Memo.state.in_(ARCHIVE_STATES))
    if filters.year:
        g = filters.year - BE_OFFSET
        query = query.where(Memo.date >= dt.date(g, 1, 1), Memo.date <= dt.date(g, 12, 31))
    if filters.fiscal_year:
        g = filters.fiscal_year - BE_OFFSET
        query = query.where(Memo.date >= dt.date(g - 1, 10, 1), Memo.date <= dt.date(g, 9, 30))
    if filters.decision:
        query = query.where(Memo.decision == Decision(filters.decision))
    if filters.author_id:
        query = query.where(Memo.author_id == filters.author_id)
    if filters.person_id:
        on_chain = sa.select(Step.memo_id).where(
            Step.organization_id == user.organization_id, Step.assignee_id == filters.person_id
        )
        query = query.where(sa.or_(Memo.author_id == filters.person_id, Memo.id.in_(on_chain)))
    return query


#: What the archive's list shows of a memo (and the snippets read, when searching): the rest
#: of the row (the addressee, the closing, the chain's fields) is left in the database.
LIST_COLUMNS = (Memo.id, Memo.organization_id, Memo.author_id, Memo.state, Memo.number, Memo.date,
                Memo.subject, Memo.decision, Memo.decided_at)


def search_archive(session: Session, user: User, filters: ArchiveFilters, *, page: int = 1,
                   per_page: int = 20, hashes: bool = True) -> tuple[list[Memo], int, dict[int, str]]:
    """One page of the archive, newest order first; the total (up to search.COUNT_CAP + 1, then
    "more than"); each memo's PDF SHA-256 (``hashes=False``: not read, an empty dict; the page
    reads them with their check's state, ``archive_view.integrity_status``).

    The memos are loaded with LIST_COLUMNS only (their sections too when the query has words:
    the snippets are cut from them) and their authors in one more statement."""
    query = archive_query(session, user, filters)
    if search.terms(filters.q):
        # A text search lists newest memos first by id and counts up to search.COUNT_CAP + 1.
        page_query, total = search.paged(session, query, filters.q, user.organization_id,
                                         page=page, per_page=per_page)
    else:
        # Newest decided first, from ix_memo_org_decided (organisation, decided_at, id, state),
        # counted up to search.COUNT_CAP + 1 like a text search ("more than 1,000"): the pages
        # are bounded, a filter (year, state, person...) narrows a large archive. One statement
        # for both: the ids of the first COUNT_CAP + 1 memos in order are the total and the page.
        order = [Memo.decided_at.desc(), Memo.id.desc()]
        offset = (max(page, 1) - 1) * per_page
        ids = list(session.scalars(query.with_only_columns(Memo.id).order_by(*order)
                                   .limit(max(search.COUNT_CAP + 1, offset + per_page))))
        total = min(len(ids), search.COUNT_CAP + 1)
        page_query = sa.select(Memo).where(Memo.id.in_(ids[offset:offset + per_page])).order_by(*order)
    columns = LIST_COLUMNS + ((Memo.sections,) if search.terms(filters.q) else ())
    items = list(session.scalars(page_query.options(load_only(*columns),
                                                    selectinload(Memo.author))))
    found = dict(session.execute(
        sa.select(MemoDocument.memo_id, MemoDocument.sha256)
        .where(MemoDocument.organization_id == user.organization_id,
               MemoDocument.memo_id.in_([m.id for m in items]))
    ).all()) if items and hashes else {}
    return items, total, found


def people(session: Session, user: User) -> list[User]:
    """The organisation's people, for the author / person filters."""
    return list(session.scalars(
        sa.select(User).where(User.organization_id == user.organization_id).order_by(User.full_name)
    ))


# --- integrity --------------------------------------------------------------------------

@dataclass
class IntegrityProblem:
    kind: str  #: "document", "attachment" or "event"
    memo_id: int | None
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} memo {self.memo_id}: {self.detail}"


def verify_archive(session: Session, organization_id: int | None = None,
                   anchor_settings: anchors.AnchorSettings | None = None) -> list[IntegrityProblem]:
    """Recompute every stored PDF's and attachment's SHA-256 (and each decided memo's sealed
    list of attachments) and every event hash chain, and check the chains against the signed
    checkpoints (``anchor_settings``, by default the app's); each mismatch found."""
    problems: list[IntegrityProblem] = []
    query = sa.select(MemoDocument.id, MemoDocument.memo_id, MemoDocument.sha256, MemoDocument.content)
    if organization_id is not None:
        query = query.where(MemoDocument.organization_id == organization_id)
    for doc_id, memo_id, stored, content in session.execute(
        query.order_by(MemoDocument.id).execution_options(yield_per=50)
    ):
        actual = hashlib.sha256(content or b"").hexdigest()
        if actual != stored:
            problems.append(IntegrityProblem(
                "document", memo_id,
                f"PDF (document {doc_id}) SHA-256 {actual} differs from the stored {stored}",
            ))
    from ..attachments.service import verify as verify_attachments

    for memo_id, detail in verify_attachments(session, organization_id):
        problems.append(IntegrityProblem("attachment", memo_id, detail))
    found = audit.verify_chain(session, organization_id)
    if anchor_settings is None and has_app_context():
        anchor_settings = anchors.settings()
    if anchor_settings is not None:
        found += anchors.verify(session, anchor_settings, organization_id)[0]
    for p in found:
        problems.append(IntegrityProblem("event", p.memo_id, f"event {p.event_id}: {p.problem}"))
    from ..signatures.verify import archive_problems

    problems += [IntegrityProblem("signature", p.memo_id, p.detail) for p in archive_problems(session, organization_id)]
    return problems
