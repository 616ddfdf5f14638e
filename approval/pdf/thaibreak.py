"""Where a line of Thai text may break.

Thai is written without spaces between words, so a line may only break where
a dictionary says one word ends and the next begins (PyThaiNLP ``newmm``), or
where the author put a ZERO WIDTH SPACE (U+200B).  On top of the dictionary a
few typographic rules veto a break: never before a combining mark or before
ะ า ำ ๅ ๆ ฯ, never after a leading vowel เ แ โ ใ ไ, and never between two
characters of which neither is Thai (a date such as ``พ.ศ.๒๕๖๗``, a number
such as ``๗๓๖๐๑/๒๕๖`` or a name such as ``e-PlanNACC`` stays whole).

The module is pure functions with caches; the patches in :mod:`.thai`
call it while xhtml2pdf breaks its paragraphs into lines.

Words the dictionary lacks (an organisation's place names) are not added to
any process-wide state: a render names them with :func:`custom_words`, and
the caches are keyed on them, so how one office's memo breaks never depends
on which office's memo the same worker printed before.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterable
from functools import lru_cache

ZWSP = "\u200b"
#: WORD JOINER: put by :func:`glue` in place of a space that must not break
#: (inside a date); :func:`unglue` turns it back into the space.
WJ = "\u2060"

#: Thai letters, vowels and marks (not the Thai digits, which behave like
#: digits: no break inside a number).
_THAI_LETTER = re.compile("[\u0e01-\u0e4f]")
_NEEDS_SEGMENTING = re.compile("[\u0e01-\u0e4f\u200b]")
#: Combining marks: above/below vowels, tone marks, thanthakhat, nikhahit...
_MARKS = frozenset("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e")
#: Never at the start of a line: the marks, the following vowels, repetition
#: and abbreviation signs, closing punctuation.
NO_BREAK_BEFORE = _MARKS | frozenset("\u0e30\u0e32\u0e33\u0e45\u0e46\u0e2f") | frozenset(")]}.,:;!?%”’" + WJ)
#: Never at the end of a line: the leading vowels, opening punctuation and a
#: full stop inside an abbreviation (ป.ป.ช., พ.ศ.๒๕๖๗).
NO_BREAK_AFTER = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44") | frozenset("([{“‘." + WJ)


def has_thai(text: str) -> bool:
    """Whether ``text`` needs Thai segmenting (Thai letters or U+200B)."""
    return bool(_NEEDS_SEGMENTING.search(text))


def _allowed(before: str, after: str) -> bool:
    if after in NO_BREAK_BEFORE or before in NO_BREAK_AFTER:
        return False
    return bool(_THAI_LETTER.match(before) or _THAI_LETTER.match(after))


#: The words the render in progress keeps whole (see :func:`custom_words`).
_CUSTOM_WORDS: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "thaibreak_custom_words", default=frozenset()
)


def word_set(words: Iterable[str]) -> frozenset[str]:
    """The Thai words of ``words``, stripped: what :func:`custom_words` keeps whole."""
    return frozenset(w.strip() for w in words if w and w.strip() and _THAI_LETTER.search(w))


@contextlib.contextmanager
def custom_words(words: Iterable[str]):
    """
    Inside the block, :func:`segments` makes no break inside ``words``: words
    its dictionary lacks -- the organisation's place names, say, so that
    ขอนหาด is not broken into ขอน|หาด.  (Cheaper than a custom dictionary,
    which would cost a second copy of PyThaiNLP's 60 MB trie.)  A context
    variable, because the line breaker calls :func:`segments` from deep
    inside xhtml2pdf, where no argument can be passed; each thread and each
    render sees only its own words.
    """
    token = _CUSTOM_WORDS.set(word_set(words))
    try:
        yield
    finally:
        _CUSTOM_WORDS.reset(token)


def _keep_words_whole(run: str, pieces: tuple[str, ...], words: frozenset[str]) -> tuple[str, ...]:
    inside: set[int] = set()
    for word in words:
        start = run.find(word)
        while start >= 0:
            inside.update(range(start + 1, start + len(word)))
            start = run.find(word, start + 1)
    if not inside:
        return pieces
    out: list[str] = []
    pos = 0
    for piece in pieces:
        if out and pos in inside:
            out[-1] += piece
        else:
            out.append(piece)
        pos += len(piece)
    return tuple(out)


@lru_cache(maxsize=1)
def _tokenizer():
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


@lru_cache(maxsize=65536)
def _dictionary_segments(run: str) -> tuple[str, ...]:
    """``run`` (no spaces, no U+200B) cut where the dictionary and the rules
    allow a break, and a long URL, e-mail address, code or number cut at its
    natural points (:func:`long_run_pieces`)."""
    if not _THAI_LETTER.search(run):
        return long_run_pieces(run)
    tokens = _tokenizer()(run, engine="newmm", keep_whitespace=True)
    if "".join(tokens) != run:  # pragma: no cover - the tokenizer keeps text
        return (run,)
    out: list[str] = []
    for token in tokens:
        if not token:
            continue
        if out and _allowed(out[-1][-1], token[0]):
            out.append(token)
        elif out:
            out[-1] += token
        else:
            out.append(token)
    if LONG_RUN.search(run):
        return tuple(p for piece in out for p in _long_runs_cut(piece))
    return tuple(out)


# ---------------------------------------------------------------------------
# Long strings: URLs, e-mail addresses, codes and numbers typed without spaces

#: A run that may break inside: a URL or e-mail address, or 16 or more
#: characters without a Thai letter or a space (a code, a long number).
LONG_RUN = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s\u0e01-\u0e4f]+"
    r"|[^\s\u0e01-\u0e4f@]+@[^\s\u0e01-\u0e4f@]+\.[^\s\u0e01-\u0e4f]+"
    r"|[^\s\u0e01-\u0e4f\u200b\u2060]{16,}",
    re.IGNORECASE,
)
#: Where a long run breaks naturally: after / ? & = - . _ , ; : # (not
#: inside "://" or "//"), and before @.
_NATURAL = re.compile(r"(?<=[/?&=\-._,;#])(?![/?&=\-._,;:#])|(?<=[^/]:)(?!//)(?=[^/\d])|(?=@)")


def long_run_pieces(run: str) -> tuple[str, ...]:
    """``run`` (no Thai letters) cut at its natural break points when it is
    long (:data:`LONG_RUN`); whole otherwise.  A piece still too wide for its
    line is cut between characters by the line breaker."""
    if len(run) < 12 or not LONG_RUN.search(run):
        return (run,)
    return tuple(_long_runs_cut(run))


def _long_runs_cut(piece: str) -> list[str]:
    """``piece`` with each long run inside it cut at its natural points."""
    out: list[str] = []
    pos = 0
    for m in LONG_RUN.finditer(piece):
        cuts = [m.start() + c.start() for c in _NATURAL.finditer(m.group(0)) if 0 < c.start() < len(m.group(0))]
        for c in cuts:
            out.append(piece[pos:c])
            pos = c
    out.append(piece[pos:])
    return [p for p in out if p]


def needs_segmenting(text: str) -> bool:
    """Whether ``text`` needs the Thai line breaker: Thai, U+200B, or a long run."""
    return bool(_NEEDS_SEGMENTING.search(text) or (len(text) >= 12 and LONG_RUN.search(text)))


# ---------------------------------------------------------------------------
# Dates: never split from their year

_MONTHS = (
    "มกราคม|กุมภาพันธ์|มีนาคม|เมษายน|พฤษภาคม|มิถุนายน|กรกฎาคม|สิงหาคม|กันยายน|ตุลาคม|พฤศจิกายน|ธันวาคม"
    "|ม\\.ค\\.|ก\\.พ\\.|มี\\.ค\\.|เม\\.ย\\.|พ\\.ค\\.|มิ\\.ย\\.|ก\\.ค\\.|ส\\.ค\\.|ก\\.ย\\.|ต\\.ค\\.|พ\\.ย\\.|ธ\\.ค\\."
)
#: A date: day month year (พ.ศ. optional), พ.ศ. and its year, a time "๑๐:๑๘ น.".
_DATE = re.compile(
    rf"\d{{1,2}}[ \u00a0]+(?:{_MONTHS})(?:[ \u00a0]+(?:พ\.ศ\.[ \u00a0]*)?\d{{4}})?"
    rf"|(?:{_MONTHS})[ \u00a0]+(?:พ\.ศ\.[ \u00a0]*)?\d{{4}}"
    r"|(?:พ\.ศ\.|ค\.ศ\.)[ \u00a0]+\d{4}"
    r"|\d{1,2}[:.]\d{2}[ \u00a0]+น\."
)


def glue(text: str) -> str:
    """``text`` with the spaces inside dates (``๒ พฤษภาคม ๒๕๖๗``, ``พ.ศ. ๒๕๖๘``,
    ``๑๐:๑๘ น.``) made no-break joins (:data:`WJ`): a line never breaks there."""
    if " " not in text or not _DATE.search(text):
        return text
    return _DATE.sub(lambda m: m.group(0).replace(" ", WJ), text)


def unglue(text: str) -> str:
    """The text :func:`glue` was given back: each join a space again."""
    return text.replace(WJ, " ") if WJ in text else text


# ---------------------------------------------------------------------------
# Where a justified line may take added space

#: Thai letters and marks, without the digits and ฯ ๆ ๏ (which go with the word before).
_THAI_TEXT = frozenset(chr(c) for c in range(0x0E01, 0x0E4F)) - {"\u0e2f", "\u0e46"}
#: A run typed without spaces that holds one of these is a number or a code:
#: no added space inside it.
_CODE = re.compile(r"[0-9\u0e50-\u0e59A-Za-z/@_=&?]")
_SPACES = frozenset(" \u00a0" + WJ)


def stretch_points(text: str) -> list[int]:
    """
    The positions in ``text`` (no U+200B) before which a justified line may
    take added space: after each space, and between two Thai character
    clusters (Thai distributed justification) -- never inside a cluster,
    never beside a digit, a Latin letter or punctuation, and nowhere inside
    a run typed without spaces that holds a digit or a Latin letter (a
    document number such as ``มท ๐๘๑๐.๓/ว ๑๒๓๔``, a date, a URL).
    """
    return list(_stretch_points(text))


@lru_cache(maxsize=16384)
def _stretch_points(text: str) -> tuple[int, ...]:
    out: list[int] = []
    n = len(text)
    start = 0
    while start < n:
        if text[start] in _SPACES:
            if start + 1 < n and text[start + 1] not in _SPACES:
                out.append(start + 1)
            start += 1
            continue
        end = start
        while end < n and text[end] not in _SPACES:
            end += 1
        run = text[start:end]
        if not _CODE.search(run) and not (len(run) <= 3 and _CODE.match(text[end + 1:end + 2])):
            # (a short run before a number is its prefix: นศ ๗๓๖๐๑/๒๕๖)
            pos = start
            for cluster in clusters(run):
                if pos > start and cluster[0] in _THAI_TEXT and text[pos - 1] in _THAI_TEXT:
                    out.append(pos)
                pos += len(cluster)
        start = end
    return tuple(out)


@lru_cache(maxsize=16384)
def _segments_keeping(run: str, words: frozenset[str]) -> tuple[str, ...]:
    return _keep_words_whole(run, _dictionary_segments(run), words)


def _word_segments(run: str, words: frozenset[str]) -> tuple[str, ...]:
    """``run`` (no spaces, no U+200B) cut where a line may break, ``words`` kept whole."""
    if words:
        return _segments_keeping(run, words)
    return _dictionary_segments(run)


def segments(text: str, words: frozenset[str] | None = None) -> list[str]:
    """
    Cut a run of text without white space into the pieces a line may break
    between.  U+200B is a break opportunity and is dropped; a U+200B at the
    start or the end gives an empty first or last piece, which says "a break
    is allowed here" to the caller.  No break is made inside ``words``
    (default: those of the enclosing :func:`custom_words`).
    """
    if words is None:
        words = _CUSTOM_WORDS.get()
    if ZWSP not in text:
        return list(_word_segments(text, words)) if text else [""]
    out: list[str] = []
    for i, part in enumerate(text.split(ZWSP)):
        pieces = list(_word_segments(part, words)) if part else [""]
        if i and out and out[-1] == "" and pieces:
            # "a\u200b\u200bb": two opportunities in a row are one.
            out.pop()
        out.extend(pieces)
    return out


@lru_cache(maxsize=4096)
def clusters(text: str) -> tuple[str, ...]:
    """
    ``text`` cut into Thai character clusters: a consonant with its marks and
    following vowels, a leading vowel with the consonant after it.  A word
    too wide for its box is broken between two of these, never inside one.
    """
    out: list[str] = []
    for ch in text:
        if out and (ch in NO_BREAK_BEFORE or out[-1][-1] in NO_BREAK_AFTER):
            out[-1] += ch
        else:
            out.append(ch)
    return tuple(out)


def warm_up() -> None:
    """Load the dictionary now rather than in the first request (~0.5 s)."""
    _dictionary_segments("องค์การบริหารส่วนตำบลขอนหาด")
