"""Thai digits, Buddhist Era dates and the fiscal year (PyThaiNLP underneath)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from pythainlp.util import (
    arabic_digit_to_thai_digit,
    thai_digit_to_arabic_digit,
    thai_strftime,
)

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543


def nfc(text: str | None) -> str | None:
    """Normalise text to NFC (never NFKC: it would break สระอำ)."""
    return unicodedata.normalize("NFC", text) if text is not None else None


def thai_digits(value: object, enabled: bool = True) -> str:
    """Render ``value`` with Thai digits (๐-๙) when ``enabled``; Arabic otherwise."""
    text = "" if value is None else str(value)
    return arabic_digit_to_thai_digit(text) if enabled else text


def arabic_digits(text: str) -> str:
    """Turn any Thai digits in ``text`` into Arabic ones (for parsing input)."""
    return thai_digit_to_arabic_digit(text)


def be_year(value: dt.date | int) -> int:
    """The Buddhist Era year of a date or a Gregorian year."""
    year = value if isinstance(value, int) else value.year
    return year + BE_OFFSET


def fiscal_year_be(day: dt.date) -> int:
    """Thai government fiscal year (1 Oct - 30 Sep), in the Buddhist Era."""
    return be_year(day.year + 1 if day.month >= 10 else day.year)


def to_local(moment: dt.datetime) -> dt.datetime:
    """A UTC (or naive UTC) datetime in Asia/Bangkok."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BANGKOK)


def thai_date(day: dt.date | dt.datetime | None, digits: bool = True, short: bool = False) -> str:
    """``2 พฤษภาคม 2567`` style date (``2 พ.ค. 2567`` when short), Thai digits by default."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = to_local(day).date()
    return _thai_date(day, digits, short)


@lru_cache(maxsize=8192)
def _thai_date(day: dt.date, digits: bool, short: bool) -> str:
    """:func:`thai_date` of a day, kept: a list shows the same few days many times over."""
    text = thai_strftime(day, "%-d %b %Y" if short else "%-d %B %Y")
    return thai_digits(text, digits)


def thai_datetime(moment: dt.datetime | None, digits: bool = True) -> str:
    """``2 พ.ค. 2567 เวลา 13:05 น.`` in Bangkok time."""
    if moment is None:
        return ""
    local = to_local(moment)
    text = thai_strftime(local, "%-d %b %Y") + local.strftime(" เวลา %H:%M น.")
    return thai_digits(text, digits)


def money(value: Decimal | int | str | None, digits: bool = False) -> str:
    """``112,652.00`` (two decimals, thousands separators), optionally in Thai digits."""
    amount = Decimal(value or 0).quantize(Decimal("0.01"))
    return thai_digits(f"{amount:,.2f}", digits)


def utcnow() -> dt.datetime:
    """Timezone-aware current UTC time (the one clock of the app)."""
    return dt.datetime.now(dt.UTC)


MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
          "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
                "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
_NUMERIC_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_WORDED_DATE = re.compile(r"(\d{1,2})\s+(\S+)\s+(?:พ\.ศ\.\s*)?(\d{4})")
BE_DATE_HINT = "วัน/เดือน/ปี พ.ศ. เช่น 2/5/2567"


def be_date_text(day: dt.date | None) -> str:
    """``2/5/2567``: a date as the form's text field shows it (day/month/Buddhist Era year)."""
    return f"{day.day}/{day.month}/{day.year + 543}" if day else ""


def parse_be_date(text: str | None) -> dt.date:
    """A date typed as วัน/เดือน/ปี พ.ศ. (``2/5/2567``, ``๒/๕/๒๕๖๗``, ``2 พฤษภาคม 2567``, ``2 พ.ค. 2567``).

    Also takes ``2024-05-02`` (ISO, Christian Era), which programs send. ValueError with a
    Thai message for anything else, and for a day that does not exist.
    """
    raw = arabic_digits(nfc(text or "") or "").strip()
    if not raw:
        raise ValueError("กรุณากรอกวันที่ (" + BE_DATE_HINT + ")")
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", raw)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif m := _NUMERIC_DATE.fullmatch(raw):
        day, month, year = (int(g) for g in m.groups())
        year = _ce_year(year)
    elif m := _WORDED_DATE.fullmatch(raw):
        name = m.group(2)
        if name in MONTHS:
            month = MONTHS.index(name) + 1
        elif name in MONTHS_SHORT or name + "." in MONTHS_SHORT:
            month = (MONTHS_SHORT.index(name) if name in MONTHS_SHORT else MONTHS_SHORT.index(name + ".")) + 1
        else:
            raise ValueError(f"ไม่รู้จักชื่อเดือน \"{name}\" (" + BE_DATE_HINT + ")")
        day, year = int(m.group(1)), _ce_year(int(m.group(3)))
    else:
        raise ValueError("รูปแบบวันที่ไม่ถูกต้อง (" + BE_DATE_HINT + ")")
    if not 1 <= month <= 12:
        raise ValueError("เดือนต้องอยู่ระหว่าง 1 ถึง 12 (" + BE_DATE_HINT + ")")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"ไม่มีวันที่ {day} ในเดือน{MONTHS[month - 1]} ปี พ.ศ. {year + 543}") from None


def _ce_year(be: int) -> int:
    """A Buddhist Era year typed in the form, as the Christian Era year; a CE year is refused."""
    if be < 2400:
        raise ValueError(f"กรุณากรอกปีเป็น พ.ศ. (เช่น {dt.date.today().year + 543}) ไม่ใช่ ค.ศ.")
    return be - 543
