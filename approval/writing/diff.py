"""What changed between two rounds of a memo: a word-level Thai diff.

Framework-free. Thai has no spaces between words, so a character diff marks half-words and
a space diff marks whole sentences; the words are PyThaiNLP's ``newmm`` tokens (the engine
the PDF's line breaker uses, :mod:`approval.pdf.thaibreak`), compared with the standard
``difflib.SequenceMatcher``. Spaces and line breaks are tokens too, so the text comes back whole.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

#: The memo's own text that a round keeps (the submit event's ``data.content``) and the diff compares.
CONTENT_FIELDS = ("department", "subject", "addressee", "closing")
#: Fields shown in the changes card, in the paper's order, with their Thai labels.
FIELD_LABELS = (("department", "ส่วนราชการ"), ("subject", "เรื่อง"), ("addressee", "เรียน"))
CLOSING_LABEL = "ข้อความลงท้าย"
#: Beyond this many tokens on one side a text is compared line by line (SequenceMatcher is
#: quadratic in the worst case; a memo's largest section is about 6,000 tokens).
TOKENS_MAX = 8_000

#: A piece of a diff: ("equal" | "insert" | "delete", text).
Piece = tuple[str, str]


def snapshot(memo) -> dict:
    """The memo's text as it is now, as plain JSON (kept in the submit event of each round)."""
    content = {f: getattr(memo, f) or "" for f in CONTENT_FIELDS}
    content["sections"] = [{"title": s.get("title") or "", "body": s.get("body") or ""}
                           for s in (memo.sections or [])]
    return content


@lru_cache(maxsize=1)
def _word_tokenize():
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


_SPACES = re.compile(r"(\s+)")


@lru_cache(maxsize=65536)
def _run_words(run: str) -> tuple[str, ...]:
    """One run of text without white space, cut into words (cached: the two rounds share most runs)."""
    tokens = tuple(t for t in _word_tokenize()(run, engine="newmm", keep_whitespace=True) if t)
    return tokens if "".join(tokens) == run else tuple(run)


def words(text: str) -> list[str]:
    """`text` cut into words, spaces and line breaks (joined, they give `text` back).

    Thai puts spaces between phrases, never inside a word: each run between spaces is cut on its
    own, so a text tokenized for the last round is mostly tokenized already for this one.
    """
    out: list[str] = []
    for part in _SPACES.split(text or ""):
        if not part:
            continue
        if part.isspace():
            out.append(part)
        else:
            out.extend(_run_words(part))
    return out


def _merge(pieces: list[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for kind, text in pieces:
        if not text:
            continue
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + text)
        else:
            out.append((kind, text))
    return out


def diff_text(old: str, new: str) -> list[Piece]:
    """Word-level diff of two texts: equal, deleted and inserted pieces in reading order."""
    old, new = old or "", new or ""
    if old == new:
        return [("equal", new)] if new else []
    a, b = words(old), words(new)
    if max(len(a), len(b)) > TOKENS_MAX:
        a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(("equal", "".join(b[j1:j2])))
            continue
        if tag in ("delete", "replace"):
            pieces.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            pieces.append(("insert", "".join(b[j1:j2])))
    return _merge(pieces)


@dataclass
class SectionChange:
    """One section of the new text (or a removed one of the old): its number, status and diffs."""

    status: str  #: "same" | "changed" | "added" | "removed"
    number: int | None  #: its place among the new sections (1-based); None when removed
    title: list[Piece] = field(default_factory=list)
    body: list[Piece] = field(default_factory=list)


@dataclass
class MemoChanges:
    """Every change between two snapshots; ``changed`` is False when the text is the same."""

    fields: list[tuple[str, list[Piece]]]  #: (Thai label, diff) of the fields that changed
    sections: list[SectionChange]
    closing: list[Piece] | None  #: the closing's diff, None when unchanged

    @property
    def changed(self) -> bool:
        """Whether anything differs."""
        return bool(self.fields or self.closing or any(s.status != "same" for s in self.sections))


def _key(section: dict) -> tuple[str, str]:
    return (section.get("title") or "", section.get("body") or "")


def diff_sections(old: list[dict], new: list[dict]) -> list[SectionChange]:
    """Sections aligned as a whole first (moved, added, removed), then compared word by word."""
    old, new = old or [], new or []
    out: list[SectionChange] = []
    matcher = difflib.SequenceMatcher(None, [_key(s) for s in old], [_key(s) for s in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for j in range(j1, j2):
                title, body = _key(new[j])
                out.append(SectionChange("same", j + 1, [("equal", title)] if title else [],
                                         [("equal", body)] if body else []))
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(pairs):  # a replaced block: edited sections, in order
            (ot, ob), (nt, nb) = _key(old[i1 + k]), _key(new[j1 + k])
            out.append(SectionChange("changed", j1 + k + 1, diff_text(ot, nt), diff_text(ob, nb)))
        for i in range(i1 + pairs, i2):
            title, body = _key(old[i])
            out.append(SectionChange("removed", None, [("delete", title)] if title else [],
                                     [("delete", body)] if body else []))
        for j in range(j1 + pairs, j2):
            title, body = _key(new[j])
            out.append(SectionChange("added", j + 1, [("insert", title)] if title else [],
                                     [("insert", body)] if body else []))
    return out


def diff_memo(old: dict, new: dict) -> MemoChanges:
    """The changes from snapshot `old` to snapshot `new` (see :func:`snapshot`)."""
    fields = []
    for name, label in FIELD_LABELS:
        if (old.get(name) or "") != (new.get(name) or ""):
            fields.append((label, diff_text(old.get(name) or "", new.get(name) or "")))
    closing = None
    if (old.get("closing") or "") != (new.get("closing") or ""):
        closing = diff_text(old.get("closing") or "", new.get("closing") or "")
    return MemoChanges(fields, diff_sections(old.get("sections") or [], new.get("sections") or []), closing)
