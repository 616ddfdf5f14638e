"""What the archive page shows beside each result: where the words matched, a correction of
a one-letter typo, and the outcome of the last integrity check.

Presentation only: the searching itself is ``services.search`` and ``services.archive``.

* :func:`snippets` -- for each memo of a result page, a few words around the first place a
  query term occurs (subject, sections, opinions and order, project names), with every
  term marked ``<mark>``; the memo's text and the query are escaped, only the marks are HTML.
* :func:`suggest` -- when a search finds nothing, the query with one term replaced by a word
  at edit distance 1 (one letter added, dropped, changed, or two neighbours swapped) from the
  organisation's vocabulary, offered only when the corrected search finds something the user
  may see.
* :func:`integrity_status` / :func:`record_integrity_check` -- the integrity page records when
  it last checked the organisation's archive and which memos had a problem; each archived PDF
  then reads "ตรวจสอบแล้ว ถูกต้อง" with that date instead of a raw SHA-256.

How the vocabulary scales: words come from the subjects and section titles of the newest
``VOCAB_MEMOS`` decided or archived memos of the organisation (what the records officer
searches), tokenised with PyThaiNLP (newmm), plus each run of two and three neighbouring words
(a search term is often a compound such as "การทุจริต"). A decided memo never changes, so the
vocabulary is kept per process and organisation and only grows: memos decided since the last
call are read at once (few), and the first build goes back from the newest memo a batch at a
time for at most ``BUILD_SECONDS`` of tokenising per request (newmm reads some 20,000-90,000
characters a second; 2,000 memos are about 180,000), so no search waits for the whole archive
and the newest memos count first. Lookups use deletion neighbourhoods (the SymSpell idea):
every word is filed under itself and each string one character shorter, and a term is looked
up under itself and its own one-shorter strings -- ``len(term) + 1`` dict probes whatever the
vocabulary's size (tens of microseconds; ``bench/archive_suggest.py``) -- then candidates are
confirmed by an exact edit-distance check. Memory is about ``len(word)`` entries per word
(80,000 for 2,000 memos). A country-wide deployment would keep per-organisation word counts
in a table maintained at indexing time (``search.index_memo``) and use the same lookup.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from ..models import (
    Memo,
    MemoDocument,
    MemoState,
    Organization,
    PlanProject,
    PlanReport,
    Step,
    User,
)
from ..thai import arabic_digits, utcnow
from . import search

ARCHIVE_STATES = (MemoState.DECIDED, MemoState.ARCHIVED)

# --- snippets ------------------------------------------------------------------------------

BEFORE, AFTER = 40, 90  #: characters of context around the first match
SNAP = 15  #: how far the window's edges move to reach a space


def _parts(memo: Memo, comments: list[str], projects: list[str]) -> list[tuple[str, str]]:
    """(where, text) of everything the search document holds, in its order."""
    parts: list[tuple[str, str]] = []
    if memo.number:
        parts.append(("เลขที่", memo.number))
        if arabic_digits(memo.number) != memo.number:
            parts.append(("เลขที่", arabic_digits(memo.number)))
    parts.append(("เรื่อง", memo.subject or ""))
    for section in memo.sections or ():
        if section.get("title"):
            parts.append(("หัวข้อ", section["title"]))
        if section.get("body"):
            parts.append(("เนื้อความ", section["body"]))
    parts += [("ความเห็น/คำสั่ง", c) for c in comments if c]
    parts += [("ชื่อโครงการ", n) for n in projects if n]
    return [(where, unicodedata.normalize("NFC", text)) for where, text in parts]


def _pattern(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    alternatives = sorted({t for t in terms if t}, key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in alternatives), re.IGNORECASE)


def _is_mark(char: str) -> bool:
    """A combining mark (Thai vowels above/below, tone marks): never cut before one."""
    return unicodedata.category(char) in ("Mn", "Mc")


def _window(text: str, start: int, end: int) -> tuple[int, int]:
    """Around [start, end): context on both sides, edges moved to a space when one is near,
    never separating a letter from its marks."""
    left, right = max(0, start - BEFORE), min(len(text), end + AFTER)
    if left > 0:
        space = text.find(" ", left, min(left + SNAP, start))
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", max(right - SNAP, end), right)
        right = space if space != -1 else right
    while 0 < left < start and _is_mark(text[left]):
        left -= 1
    while right < len(text) and _is_mark(text[right]):
        right += 1
    return left, right


def highlight(text: str, pattern: re.Pattern) -> Markup:
    """text escaped, each match of pattern inside <mark>."""
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last:match.start()]))
        out.append(Markup("<mark>%s</mark>") % match.group(0))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


@dataclass(frozen=True)
class Snippet:
    where: str  #: which part of the memo matched (เรื่อง, เนื้อความ, ...)
    html: Markup  #: the words around the match, escaped, matches in <mark>


def snippet_of(parts: list[tuple[str, str]], terms: list[str]) -> Snippet | None:
    """The part holding the most of the terms (the first of equals), cut to a window around
    its first match, every term marked."""
    pattern = _pattern(terms)
    if pattern is None:
        return None
    best, best_score = None, 0
    for where, text in parts:
        score = len({m.group(0).lower() for m in pattern.finditer(text)})
        if score > best_score:
            best, best_score = (where, text), score
            if score == len(set(terms)):
                break
    if best is None:
        return None
    where, text = best
    match = pattern.search(text)
    left, right = _window(text, match.start(), match.end())
    body = highlight(re.sub(r"\s+", " ", text[left:right]), pattern)
    html = (Markup("…") if left > 0 else Markup("")) + body + (Markup("…") if right < len(text) else Markup(""))
    return Snippet(where, html)


def snippets(session: Session, memos: list[Memo], q: str | None) -> dict[int, Snippet]:
    """{memo id: Snippet} for the memos of one result page (two queries for all of them)."""
    found = search.terms(q)
    if not found or not memos:
        return {}
    ids = [m.id for m in memos]
    org = memos[0].organization_id
    comments: dict[int, list[str]] = {i: [] for i in ids}
    for memo_id, comment in session.execute(
        sa.select(Step.memo_id, Step.comment)
        .where(Step.organization_id == org, Step.memo_id.in_(ids))
        .order_by(Step.memo_id, Step.round, Step.seq)
    ):
        comments[memo_id].append(comment or "")
    projects: dict[int, list[str]] = {i: [] for i in ids}
    for memo_id, name in session.execute(
        sa.select(PlanReport.memo_id, PlanProject.name)
        .join(PlanProject, PlanProject.report_id == PlanReport.id)
        .where(PlanReport.organization_id == org, PlanReport.memo_id.in_(ids))
        .order_by(PlanReport.memo_id, PlanProject.position)
    ):
        projects[memo_id].append(name)
    out = {}
    for memo in memos:
        found_here = snippet_of(_parts(memo, comments[memo.id], projects[memo.id]), found)
        if found_here is not None:
            out[memo.id] = found_here
    return out


# --- one-letter typos ----------------------------------------------------------------------

VOCAB_MEMOS = 2000  #: newest decided/archived memos whose words make the vocabulary
BUILD_SECONDS = 0.25  #: tokenising one request may do; the rest waits for the next suggestion
BATCH = 100  #: memos read from the database at a time while building
MIN_WORD = 2  #: shorter words are never suggested
TRIES = 6  #: corrected searches run at most per suggestion
_WORDLIKE = re.compile(r"[0-9A-Za-z\u0E01-\u0E2E]")


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """Optimal-string-alignment distance at most 1 (one insertion, deletion, substitution or
    swap of neighbours)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    if la > lb:
        a, b = b, a
    return any(b[:i] + b[i + 1:] == a for i in range(len(b)))


@dataclass
class Vocabulary:
    """An organisation's words with their counts, filed by deletion neighbourhood."""

    counts: Counter = field(default_factory=Counter)
    index: dict[str, set[str]] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)  #: memo ids already read
    since: dt.datetime | None = None  #: newest decided_at read
    cursor: tuple[dt.datetime, int] | None = None  #: the oldest (decided_at, id) read so far
    complete: bool = False  #: VOCAB_MEMOS read, or no older memo left
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, word: str) -> None:
        if word not in self.counts:
            for key in _deletes(word) | {word}:
                self.index.setdefault(key, set()).add(word)
        self.counts[word] += 1

    def add_text(self, text: str) -> None:
        for line in text.splitlines():  # a subject and each title apart: no runs across them
            for word in words_of(line):
                self.add(word)

    def candidates(self, term: str) -> list[str]:
        """Words one edit away from term (not term itself), most frequent first."""
        found: set[str] = set()
        for key in _deletes(term) | {term}:
            found |= self.index.get(key, set())
        found.discard(term)
        close = [w for w in found if len(w) >= MIN_WORD and within_one_edit(term, w)]
        return sorted(close, key=lambda w: (-self.counts[w], w))


@functools.lru_cache(maxsize=8192)
def _tokens(line: str) -> tuple[str, ...]:
    """A line's words (PyThaiNLP newmm), lower-cased; cached: titles such as เรื่องเดิม recur."""
    from pythainlp.tokenize import word_tokenize

    tokens = word_tokenize(unicodedata.normalize("NFC", line), engine="newmm", keep_whitespace=False)
    return tuple(t.lower() for t in tokens if _WORDLIKE.search(t))


def words_of(text: str) -> Iterable[str]:
    """The words of text, lower-cased, and each run of two and three."""
    tokens = _tokens(text)
    for i, token in enumerate(tokens):
        if len(token) >= MIN_WORD:
            yield token
        if i + 1 < len(tokens):
            yield token + tokens[i + 1]
        if i + 2 < len(tokens):
            yield token + tokens[i + 1] + tokens[i + 2]


#: (organisation id, its created_at): a database restored or re-seeded under the same ids
#: starts a new vocabulary rather than trusting memo ids read from another one.
_vocabularies: dict[tuple[int, str], Vocabulary] = {}
_vocabularies_lock = threading.Lock()


def _memo_text(subject: str, sections: list | None) -> str:
    titles = [s.get("title") or "" for s in sections or () if isinstance(s, dict)]
    return "\n".join([subject or "", *titles])


def vocabulary(session: Session, organization: Organization) -> Vocabulary:
    """The organisation's vocabulary: memos decided since the last call are added, and the
    first build goes back from the newest memo a batch at a time for at most BUILD_SECONDS
    per call, so no request waits for the whole archive to be tokenised."""
    organization_id = organization.id
    key = (organization_id, str(organization.created_at))
    with _vocabularies_lock:
        vocab = _vocabularies.setdefault(key, Vocabulary())
    words_of("ก")  # PyThaiNLP loads its dictionary once per process: not counted as building
    with vocab.lock:
        if vocab.since is None:  # nothing was decided at the last call: start afresh
            vocab.complete, vocab.cursor = False, None
        deadline = time.monotonic() + BUILD_SECONDS
        base = (sa.select(Memo.id, Memo.subject, Memo.sections, Memo.decided_at)
                .where(Memo.organization_id == organization_id, Memo.state.in_(ARCHIVE_STATES),
                       Memo.decided_at.is_not(None))
                .order_by(Memo.decided_at.desc(), Memo.id.desc()))

        def read(memo_id: int, subject: str, sections: list | None) -> None:
            if memo_id not in vocab.seen:
                vocab.add_text(_memo_text(subject, sections))
                vocab.seen.add(memo_id)

        if vocab.since is not None:  # decided since the last call: few, read them all
            for memo_id, subject, sections, decided_at in session.execute(
                    base.where(Memo.decided_at >= vocab.since).limit(VOCAB_MEMOS)):
                read(memo_id, subject, sections)
                vocab.since = max(vocab.since, decided_at)
        first = True  # one memo at least per call, however slow the machine
        while not vocab.complete and (first or time.monotonic() < deadline):
            query = base
            if vocab.cursor is not None:
                at, last_id = vocab.cursor
                query = query.where(sa.or_(Memo.decided_at < at, sa.and_(Memo.decided_at == at, Memo.id < last_id)))
            rows = session.execute(query.limit(BATCH)).all()
            if vocab.since is None:
                vocab.since = rows[0][3] if rows else None
            for memo_id, subject, sections, decided_at in rows:
                read(memo_id, subject, sections)
                vocab.cursor, first = (decided_at, memo_id), False
                if time.monotonic() >= deadline:
                    break
            first = False
            read_all = not rows or vocab.cursor == (rows[-1][3], rows[-1][0])
            if len(vocab.seen) >= VOCAB_MEMOS or (len(rows) < BATCH and read_all):
                vocab.complete = True
        return vocab


def forget_vocabularies() -> None:
    """Drop every cached vocabulary (tests; a restored database)."""
    with _vocabularies_lock:
        _vocabularies.clear()


def suggest(session: Session, user: User, q: str, finds) -> str | None:
    """A corrected query, or None. ``finds(query) -> bool`` says whether a query finds anything
    the user may see (the caller's own search), so a suggestion never reveals a word of a memo
    the user cannot open."""
    terms = search.terms(q)
    if not terms:
        return None
    vocab = vocabulary(session, user.organization)
    tries = 0
    for position, term in enumerate(terms):
        if len(term) < MIN_WORD:
            continue
        for candidate in vocab.candidates(term)[:3]:
            if tries >= TRIES:
                return None
            tries += 1
            corrected = " ".join(terms[:position] + [candidate] + terms[position + 1:])
            if finds(corrected):
                return corrected
    return None


# --- integrity ------------------------------------------------------------------------------

SETTING = "integrity_check"


def record_integrity_check(session: Session, organization: Organization, problem_memo_ids: Iterable[int],
                           through_document_id: int | None, ok: bool) -> None:
    """Remember the integrity check just run (in the organisation's settings; no new table)."""
    organization.settings = {**(organization.settings or {}), SETTING: {
        "at": utcnow().isoformat(), "ok": ok, "through_document_id": through_document_id or 0,
        "problem_memo_ids": sorted({i for i in problem_memo_ids if i is not None}),
    }}


def last_document_id(session: Session, organization_id: int) -> int:
    """The newest stored PDF's id: a check started now covers every document up to it."""
    return session.scalar(sa.select(sa.func.max(MemoDocument.id))
                          .where(MemoDocument.organization_id == organization_id)) or 0


@dataclass(frozen=True)
class DocumentStatus:
    sha256: str
    state: str  #: "ok" (checked, intact), "problem" (the last check found one), "unchecked"
    checked_at: dt.datetime | None


def integrity_status(session: Session, organization: Organization, memo_ids: list[int]) -> dict[int, DocumentStatus]:
    """{memo id: DocumentStatus} of the stored PDFs of these memos, from the last check."""
    if not memo_ids:
        return {}
    last = (organization.settings or {}).get(SETTING) or {}
    try:
        at = dt.datetime.fromisoformat(last["at"]) if last.get("at") else None
    except (TypeError, ValueError):
        at = None
    through = last.get("through_document_id") or 0
    problems = set(last.get("problem_memo_ids") or [])
    out = {}
    for doc_id, memo_id, sha256 in session.execute(
        sa.select(MemoDocument.id, MemoDocument.memo_id, MemoDocument.sha256)
        .where(MemoDocument.organization_id == organization.id, MemoDocument.memo_id.in_(memo_ids))
    ):
        if at is None or doc_id > through:
            state = "unchecked"
        elif memo_id in problems:
            state = "problem"
        else:
            state = "ok"
        out[memo_id] = DocumentStatus(sha256, state, at)
    return out
