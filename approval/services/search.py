"""Thai full-text search: one search document per memo, indexed by the database itself.

The document (``memo_search.text``) is the memo's number (Thai and Arabic digits), subject,
sections, every comment of its chain (opinions and the order) and its plan report's project
names, NFC-normalised. SQLite indexes it with FTS5's trigram tokenizer (``memo_fts``, kept in
step by triggers), PostgreSQL with a two-column GIN index ``(organization_id, text
gin_trgm_ops)`` (pg_trgm and btree_gin), so a search reads only its organisation's entries;
both answer "substring anywhere", case-insensitively. A query is split at spaces and every
term must match. Terms of one or two characters have no trigram: they are checked on the rows
the longer terms found, or (alone) on the organisation's search documents.

A search does not count its matches separately: ``paged`` returns a total capped at
COUNT_CAP + 1 from the same ids it pages. On PostgreSQL it first reads a sample of the
organisation's newest documents to choose between walking the documents newest first (a
common word) and asking the trigram index for the query's rarest pieces (see there).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Memo, MemoSearch, PlanProject, PlanReport, Step
from ..thai import arabic_digits

QUERY_MAX = 100  #: characters of a query that are searched
TERMS_MAX = 8  #: terms of a query that are searched
TRIGRAM = 3
COUNT_CAP = 1000  #: a text search counts its matches up to here ("more than 1,000")

_fts = sa.table("memo_fts", sa.column("rowid"))


def document_text(number: str | None, subject: str, sections: Iterable[dict] | None,
                  comments: Iterable[str] = (), project_names: Iterable[str] = ()) -> str:
    """The searchable text of a memo; the one recipe the services and bulk loaders share."""
    parts: list[str] = []
    if number:
        parts.append(number)
        latin = arabic_digits(number)
        if latin != number:
            parts.append(latin)
    parts.append(subject or "")
    for section in sections or ():
        parts.append(section.get("title") or "")
        parts.append(section.get("body") or "")
    parts.extend(c for c in comments if c)
    parts.extend(n for n in project_names if n)
    return unicodedata.normalize("NFC", "\n".join(p for p in parts if p)).lower()


def index_memo(session: Session, memo: Memo) -> MemoSearch:
    """Rebuild the memo's search document from what is stored (call after changing its texts)."""
    if memo.id is None:
        session.flush()
    comments = session.scalars(
        sa.select(Step.comment).where(Step.memo_id == memo.id).order_by(Step.round, Step.seq)
    )
    names = session.scalars(
        sa.select(PlanProject.name).join(PlanReport, PlanProject.report_id == PlanReport.id)
        .where(PlanReport.memo_id == memo.id).order_by(PlanProject.position)
    )
    text = document_text(memo.number, memo.subject, memo.sections, list(comments), list(names))
    row = session.get(MemoSearch, memo.id)
    if row is None:
        row = MemoSearch(memo_id=memo.id, organization_id=memo.organization_id, text=text)
        session.add(row)
    elif row.text != text:
        row.text = text
    return row


#: NUL and the other control characters: no document has them, and FTS5 stops at a NUL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def terms(q: str | None) -> list[str]:
    """The NFC, lower-cased terms of a query (split at white space, bounded in number and length).

    Documents are stored lower-cased too (Thai has no case), so a plain LIKE is case-insensitive
    and PostgreSQL's trigram index serves it without ILIKE's per-character case folding.
    """
    q = unicodedata.normalize("NFC", _CONTROL.sub(" ", q or "").strip())[:QUERY_MAX].lower()
    return q.split()[:TERMS_MAX]


def _like_pattern(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def matching_ids(term: str, organization_id: int, dialect: str):
    """A SELECT of the ids of the organisation's memos whose document contains the term."""
    if dialect == "sqlite" and len(term) >= TRIGRAM:
        phrase = '"' + term.replace('"', '""') + '"'
        return sa.select(_fts.c.rowid).where(sa.literal_column("memo_fts").match(phrase))
    return sa.select(MemoSearch.memo_id).where(
        MemoSearch.organization_id == organization_id, MemoSearch.text.like(_like_pattern(term), escape="\\")
    )


def search_clause(q: str | None, organization_id: int, dialect: str):
    """A WHERE clause on Memo: every term of q somewhere in the memo, within the organisation."""
    clauses = [Memo.organization_id == organization_id]
    clauses += [Memo.id.in_(matching_ids(t, organization_id, dialect)) for t in terms(q)]
    return sa.and_(*clauses)


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def apply_search(query, q: str | None, organization_id: int, dialect: str):
    """The query narrowed to memos matching every term of q, and the newest-first order to use.

    On SQLite the FTS5 table drives the query in rowid (= memo id) order, so a page of a common
    word stops after its first rows instead of collecting every match; the terms of three
    characters or more are one FTS5 expression, shorter ones a LIKE on the joined document.
    On PostgreSQL every term is a LIKE on the joined document next to the organisation: the
    two-column GIN index ``(organization_id, text gin_trgm_ops)`` answers both at once (terms of
    one or two characters have no trigram and are checked on the rows the others found, or on
    the organisation's documents when no term is longer).
    """
    found = terms(q)
    query = query.where(Memo.organization_id == organization_id)
    if not found:
        return query, [Memo.id.desc()]
    rest = found
    order = [Memo.id.desc()]
    indexed = [t for t in found if len(t) >= TRIGRAM]
    if dialect == "sqlite" and indexed:
        query = query.join(_fts, _fts.c.rowid == Memo.id).where(
            sa.literal_column("memo_fts").match(" AND ".join(_phrase(t) for t in indexed))
        )
        order = [_fts.c.rowid.desc()]
        rest = [t for t in found if len(t) < TRIGRAM]
    if rest:
        query = query.join(MemoSearch, MemoSearch.memo_id == Memo.id).where(
            MemoSearch.organization_id == organization_id,
            *[MemoSearch.text.like(_like_pattern(t), escape="\\") for t in rest],
        )
    return query, order


def newest_matches(query, q: str | None, organization_id: int, window: int | None):
    """PostgreSQL: the ids of the query's memos among the organisation's ``window`` newest
    documents matching q (all of them when None), newest first.

    The documents are a subquery of their own with its LIMIT, read backwards from
    ``ix_memo_search_org_memo`` and checked one by one until the window is full; ``strpos``
    is the check because the trigram index cannot serve it (nothing else to choose). Only
    then are the memos joined and filtered, so the plan does not hang on the join's estimates.
    """
    docs = (sa.select(MemoSearch.memo_id)
            .where(MemoSearch.organization_id == organization_id,
                   *_matches(MemoSearch.text, q))
            .order_by(MemoSearch.memo_id.desc()).limit(window).subquery("docs"))
    return (query.where(Memo.organization_id == organization_id)
            .join(docs, docs.c.memo_id == Memo.id)
            .with_only_columns(Memo.id).order_by(docs.c.memo_id.desc()))


def first_matches(found):
    """PostgreSQL: up to COUNT_CAP + 1 ids of a searched query (``apply_search``), in no order."""
    return found.order_by(None).with_only_columns(Memo.id).limit(COUNT_CAP + 1)


SAMPLE = 256  #: newest documents of the organisation read to judge how common a query is
WALK = 3000  #: an organisation of at most this many documents is always walked (a few ms a thousand)
COMMON = 0.4  #: the share of documents matching from which a walk beats the trigram index
PIECES = 10  #: three-character pieces of a query measured in the sample, at most
PIECE_SAMPLE = 64  #: the newest documents of the sample the pieces are measured on
CHOSEN = 2  #: the rarest pieces the trigram index is asked for


def _matches(column, q: str | None):
    """The document contains every term, as one condition: PostgreSQL guesses a third of the
    rows for it, where separate conditions (a third each, multiplied) made it expect so few
    matches of two or three terms that it read and sorted the organisation's every document
    rather than walk them newest first to the cap."""
    found = terms(q)
    if len(found) <= 1:
        return [sa.func.strpos(column, t) > 0 for t in found]
    return [sa.func.least(*[sa.func.strpos(column, t) for t in found]) > 0]


def _word_char(char: str) -> bool:
    """A character pg_trgm keeps in a word (letters, digits, Thai vowel and tone marks)."""
    return char.isalnum() or unicodedata.category(char)[0] == "M"


def pieces(q: str | None) -> list[str]:
    """The distinct three-character pieces of the query's terms made of word characters, at
    most PIECES of them spread over the terms: each is one trigram of the index, whose posting
    list ``LIKE '%piece%'`` reads alone."""
    out: list[str] = []
    for term in terms(q):
        for i in range(len(term) - TRIGRAM + 1):
            piece = term[i:i + TRIGRAM]
            if piece not in out and all(map(_word_char, piece)):
                out.append(piece)
    if len(out) > PIECES:
        out = [out[k * len(out) // PIECES] for k in range(PIECES)]
    return out


def estimate_statement(q: str | None, organization_id: int):
    """PostgreSQL: (matches among the organisation's SAMPLE newest documents, documents read,
    whether the organisation has more than WALK documents, the parallel setting, then for each
    of ``pieces(q)`` how many of the PIECE_SAMPLE newest documents contain it).

    One cheap statement: SAMPLE rows read backwards by ``ix_memo_search_org_memo`` and an
    index-only probe WALK entries deep. The memo filters are left out: this measures the words.
    """
    org = MemoSearch.organization_id == organization_id
    newest = MemoSearch.memo_id.desc()
    sample = (sa.select(MemoSearch.text, sa.func.row_number().over(order_by=newest).label("n"))
              .where(org).order_by(newest).limit(SAMPLE).subquery("sample"))
    deep = sa.exists(sa.select(MemoSearch.memo_id).where(org).order_by(newest).offset(WALK).limit(1))
    hit = sa.and_(*_matches(sample.c.text, q))
    # And for the rest of the transaction, no parallel workers: starting them costs more than
    # these short, LIMITed statements gain (tens of milliseconds on a busy two-core server).
    serial = sa.func.set_config("max_parallel_workers_per_gather", "0", True)
    # The pieces on the PIECE_SAMPLE newest only: enough to tell a trigram in most documents
    # from a rare one, at a quarter of the checks.
    per_piece = [sa.func.count().filter(sa.and_(sample.c.n <= PIECE_SAMPLE, sa.func.strpos(sample.c.text, p) > 0))
                 for p in pieces(q)]
    return sa.select(sa.func.count().filter(hit), sa.func.count(), deep, serial, *per_piece).select_from(sample)


def indexed_matches(query, q: str | None, organization_id: int, chosen: list[str]):
    """PostgreSQL: up to COUNT_CAP + 1 ids of the query's memos whose document contains every
    term, in no order. The trigram index is asked for the ``chosen`` pieces only (the rarest
    in the sample): a common trigram's posting list holds every organisation's documents and
    reading it was most of a rare word's time (1,049 index pages for บ้านหนองตาล, 142 for two
    of its pieces); the terms themselves are checked on the rows found."""
    patterns = chosen or [t for t in terms(q) if len(t) >= TRIGRAM]
    return (query.where(Memo.organization_id == organization_id)
            .join(MemoSearch, MemoSearch.memo_id == Memo.id)
            .where(MemoSearch.organization_id == organization_id,
                   *[MemoSearch.text.like(_like_pattern(p), escape="\\") for p in patterns],
                   *_matches(MemoSearch.text, q))
            .with_only_columns(Memo.id).limit(COUNT_CAP + 1))


def walk_matches(query, q: str | None, organization_id: int, limit: int):
    """PostgreSQL: the ids of the query's memos whose document contains every term, newest
    first, at most ``limit``: the documents are checked one by one (``strpos``: the trigram
    index cannot serve it), so PostgreSQL either reads the organisation's documents newest
    first (``ix_memo_search_org_memo`` backwards) and stops at the limit, or, when the memo
    filters are narrow (a year, an author), reads the memos they select and checks their
    documents. Either way the cost follows the memos read, not the trigram index's posting
    lists (which hold every organisation's rows)."""
    return (query.where(Memo.organization_id == organization_id)
            .join(MemoSearch, MemoSearch.memo_id == Memo.id)
            .where(MemoSearch.organization_id == organization_id, *_matches(MemoSearch.text, q))
            .with_only_columns(Memo.id).order_by(MemoSearch.memo_id.desc()).limit(limit))


def paged(session: Session, query, q: str | None, organization_id: int, *, page: int, per_page: int):
    """(the ordered query of one page of matches, their total capped at COUNT_CAP + 1).

    SQLite: the FTS5 query pages itself (rowid order) and is counted up to the cap.

    PostgreSQL, without a separate count. Its estimate for a trigram LIKE is a handful of rows
    whatever the word, so the plan is chosen here, from a sample (``estimate_statement``: how
    many of the organisation's SAMPLE newest documents contain the terms):

    * a common word (at least COMMON of the sample), an organisation of at most WALK documents,
      or terms of one or two characters only (no trigram): ``walk_matches`` checks documents
      newest first and stops at COUNT_CAP + 1 matches (or the page's end, if further): the page
      and the capped total in one statement; stopping short means every match was seen.
    * otherwise the trigram index gives up to COUNT_CAP + 1 matching ids, in no order (the
      index and the heap stop there), asked for the CHOSEN pieces of the query that are
      rarest in the sample (``indexed_matches``). Fewer than that are the total, and the page
      is cut from them; more (a word of middling frequency) and the page comes from the
      organisation's newest documents (``newest_matches``), a window widened until it is full.
    """
    dialect = session.get_bind().dialect.name
    offset = (max(page, 1) - 1) * per_page
    need = offset + per_page
    if dialect != "postgresql":
        found, order = apply_search(query, q, organization_id, dialect)
        total = capped_count(session, found, COUNT_CAP)
        return found.order_by(*order).limit(per_page).offset(offset), total
    hits, read, deep, _, *counts = session.execute(estimate_statement(q, organization_id)).one()
    indexed = any(len(t) >= TRIGRAM for t in terms(q))
    if not deep or not indexed or hits >= COMMON * read:
        ids = list(session.scalars(walk_matches(query, q, organization_id, max(COUNT_CAP + 1, need))))
        total = min(len(ids), COUNT_CAP + 1)
        ids = ids[offset:need]
    else:
        rarest = sorted(zip(counts, pieces(q), strict=True), key=lambda c: c[0])[:CHOSEN]
        ids = list(session.scalars(indexed_matches(query, q, organization_id, [p for _, p in rarest])))
        total = len(ids)
        if total <= COUNT_CAP:
            ids = sorted(ids, reverse=True)[offset:need]
        else:
            # A window of matching documents wide enough for the page when the memo filters
            # pass most of them; widened when they do not (an old year, a filter of few memos).
            for window in (4 * need, 32 * need, 256 * need, None):
                ids = list(session.scalars(newest_matches(query, q, organization_id, window)
                                           .limit(per_page).offset(offset)))
                if len(ids) == per_page:
                    break
    return sa.select(Memo).where(Memo.id.in_(ids)).order_by(Memo.id.desc()), total


def capped_count(session: Session, query, cap: int) -> int:
    """How many rows the query has, counting at most cap + 1 (a search total past cap is 'more')."""
    sub = query.order_by(None).with_only_columns(Memo.id).limit(cap + 1).subquery()
    return session.scalar(sa.select(sa.func.count()).select_from(sub)) or 0


def newest_page(session: Session, query, order, *, page: int, per_page: int):
    """The page's memos in two steps: the ids sorted (from an index), then those rows only.

    Sorting whole memo rows (sections and all) to keep twenty costs ten times the ids' sort.
    """
    ids = list(session.scalars(query.with_only_columns(Memo.id).order_by(*order)
                               .limit(per_page).offset((max(page, 1) - 1) * per_page)))
    return sa.select(Memo).where(Memo.id.in_(ids)).order_by(*order)

