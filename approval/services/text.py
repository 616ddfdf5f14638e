"""The one gate for text on its way into the database: NFC, and nothing the database cannot hold.

PostgreSQL refuses NUL in text and a lone surrogate cannot be encoded as UTF-8; either would
surface as a 500 deep inside a flush. Every service that takes free text calls `clean_text`.
"""

from __future__ import annotations

import unicodedata

from ..errors import ValidationFailed

BAD_CHARACTER = "มีอักขระที่ไม่อนุญาต (เช่น อักขระว่าง NUL)"


def is_storable(value: str) -> bool:
    """True when `value` has no NUL and no lone surrogate (i.e. PostgreSQL can store it)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_text(value: str | None, field: str = "text", *, strip: bool = True) -> str:
    """`value` as NFC (stripped); ValidationFailed naming `field` for NUL or lone surrogates."""
    if value is None:
        return ""
    if not is_storable(value):
        raise ValidationFailed("ข้อมูลไม่ถูกต้อง: " + BAD_CHARACTER, {field: BAD_CHARACTER})
    value = unicodedata.normalize("NFC", value)
    return value.strip() if strip else value
