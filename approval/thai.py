"""Thai digits, Buddhist Era dates and the fiscal year (PyThaiNLP underneath)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
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
        day = to_local(day)
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
