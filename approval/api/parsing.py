"""Request parsing for the API: JSON objects only, known fields only, typed query parameters."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request

from ..numbers import NumberError, parse_int
from .errors import ApiError

UNKNOWN_FIELD = "ไม่รู้จักช่องนี้"
_DIGITS = re.compile(r"^[0-9]{1,18}\Z")


def _reject_constant(name: str):
    raise ValueError(name)


NUMBER_MAX = 10**15  #: larger than any amount or count the API takes (money fits NUMERIC(14, 2))


def _check_strings(value: Any, path: str, problems: dict) -> None:
    """Text the database cannot hold (NUL, lone surrogates) and absurd numbers are refused up front."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not abs(value) < NUMBER_MAX:  # also catches inf
            problems[path or "body"] = "ตัวเลขอยู่นอกช่วงที่รับได้"
    elif isinstance(value, str):
        if "\x00" in value:
            problems[path or "body"] = "มีอักขระที่ไม่อนุญาต"
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                problems[path or "body"] = "มีอักขระที่ไม่อนุญาต"
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, path, problems)
            _check_strings(item, f"{path}.{key}" if path else str(key), problems)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_strings(item, f"{path}.{i}" if path else str(i), problems)


def json_object(allowed: tuple[str, ...] | frozenset[str] | None = None) -> dict:
    """The request body as a JSON object; 415, 400, 413 or 422 otherwise.

    ``allowed``: the only keys accepted; others are named in a 422.
    """
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise ApiError(415, "กรุณาส่งข้อมูลเป็น JSON (Content-Type: application/json)")
    raw = request.get_data(cache=True)  # 413 past MAX_CONTENT_LENGTH
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "ข้อมูล JSON ไม่ถูกต้อง") from None
    if not isinstance(data, dict):
        raise ApiError(422, "ข้อมูลต้องเป็นวัตถุ JSON", {"body": "ต้องเป็นวัตถุ JSON"})
    problems: dict[str, str] = {}
    if allowed is not None:
        problems.update({key: UNKNOWN_FIELD for key in data if key not in allowed})
    _check_strings(data, "", problems)
    if problems:
        raise ApiError(422, "ข้อมูลไม่ถูกต้อง กรุณาตรวจสอบช่องที่ระบุ", problems)
    return data


def small_int_text(data: dict, keys: tuple[str, ...], problems: dict) -> None:
    """Whole numbers given as text must be plain ASCII digits (``"2567"``), else a 422."""
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,9}", value.strip()):
            problems[key] = "ต้องเป็นจำนวนเต็ม"


def optional_text(data: dict, key: str, problems: dict) -> str | None:
    """A text field that may be absent or null; else it must be a string."""
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        problems[key] = "ต้องเป็นข้อความ"
        return None
    return value


def query_int(name: str, default: int | None, low: int, high: int, problems: dict) -> int | None:
    """A whole number of the query (approval.numbers: 0-9 or ๐-๙, within bounds), else a 422 field."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse_int(raw, low, high)
    except NumberError as exc:
        problems[name] = exc.message
        return default


def if_match_version() -> int | None:
    """``If-Match: 4`` (or ``"4"``, ``W/"4"``); ``*`` or no header: None. Anything else never matches."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() in ("", "*"):
        return None
    value = raw.strip()
    value = value.removeprefix("W/")
    value = value.strip('"')
    if not _DIGITS.match(value):
        return -1  # a version that cannot exist: the service answers 412
    return int(value)
