"""Whole numbers typed by people and programs: ids, page numbers, years, list positions.

Parsed in one place so that every page and the API agree. Only the digits 0-9 are numbers,
and the Thai digits ๐-๙ (a Thai keyboard types them into a year box) are read as 0-9.
Every other Unicode digit is refused -- ``"²".isdigit()`` is True but ``int("²")`` fails,
and ``"١٢"`` (Arabic-Indic) is not something a Thai office types. Signs, spaces inside,
underscores (``int("1_0")`` is 10) and more than 20 digits are refused before ``int()``;
each kind of number has bounds, so that no value reaches the database that it cannot hold
(SQLite's integers stop at 2**63 - 1).
"""

from __future__ import annotations

import re

#: Ids of rows: positive, and within PostgreSQL's INTEGER (int4), which every id column is;
#: a larger id cannot exist, and PostgreSQL refuses to compare with one ("integer out of range").
ID_MAX = 2**31 - 1
#: Page numbers of lists: page 1 .. PAGE_MAX (a larger one is the last page, never an error).
PAGE_MAX = 1_000_000
#: Years of the Buddhist Era that the filters accept (2400 BE = 1857 CE .. 2800 BE = 2257 CE).
YEAR_MIN, YEAR_MAX = 2400, 2800
#: Positions in a form's list of rows (sections of a memo, steps of the chain).
INDEX_MAX = 1000

_THAI_TO_ASCII = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_DIGITS = re.compile(r"[0-9]{1,20}\Z", re.ASCII)


class NumberError(ValueError):
    """A text that is not a whole number within bounds; ``message`` says so in Thai."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def bounds_message(low: int, high: int) -> str:
    """The Thai message of a number out of bounds (the API's 422 names the field with it)."""
    return f"ต้องเป็นจำนวนเต็มตั้งแต่ {low:,} ถึง {high:,} (ตัวเลข 0-9)"


def parse_int(raw: object, low: int, high: int) -> int:
    """The whole number ``raw`` (int, or text of digits) within low..high; NumberError otherwise."""
    if isinstance(raw, bool):
        raise NumberError(bounds_message(low, high))
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip().translate(_THAI_TO_ASCII)
        if not _DIGITS.match(text):
            raise NumberError(bounds_message(low, high))
        value = int(text)
    else:
        raise NumberError(bounds_message(low, high))
    if not low <= value <= high:
        raise NumberError(bounds_message(low, high))
    return value


def to_int(raw: object, low: int, high: int, default: int | None = None) -> int | None:
    """Like :func:`parse_int`, with ``default`` for anything that is not a number in bounds."""
    try:
        return parse_int(raw, low, high)
    except NumberError:
        return default


def parse_id(raw: object) -> int | None:
    """A row id (1 .. ID_MAX), or None: an id that cannot exist is simply not found."""
    return to_int(raw, 1, ID_MAX)


def parse_year(raw: object) -> int | None:
    """A Buddhist-Era year (YEAR_MIN .. YEAR_MAX), or None."""
    return to_int(raw, YEAR_MIN, YEAR_MAX)


def parse_index(raw: object) -> int:
    """A position in a list of rows (0 .. INDEX_MAX), or -1 (a position no list has)."""
    value = to_int(raw, 0, INDEX_MAX)
    return -1 if value is None else value


def parse_page(raw: object) -> int:
    """A page number for a list: 1 when absent or not a number, PAGE_MAX at most.

    A page past the list's end is the caller's to turn into its last page
    (approval.web.paging.paged); a page number is never an error.
    """
    if isinstance(raw, str) and _DIGITS.match(raw.strip().translate(_THAI_TO_ASCII) or "x"):
        value = int(raw.strip().translate(_THAI_TO_ASCII))
        return min(max(value, 1), PAGE_MAX)
    return 1


def page_count(total: int, per_page: int) -> int:
    """The number of pages of ``total`` items, at least 1."""
    return max(1, -(-total // per_page))
