"""Import and export of the plan's project list (CSV, XLSX, JSON rows).

Framework-free.  :func:`validate_rows` turns raw rows (CSV/XLSX cells or JSON API
values) into :class:`~approval.plan_report.compute.Project` objects or Thai
error messages naming the row and the column; when there is any error the caller
must store nothing.

Columns (header names in English as below, or the Thai names in ``THAI_HEADERS``; exports
and the template write the Thai names, the Thai status words and ใช่/ไม่ใช่):
``no, dimension, name, budget, ordinance_budget, disbursed, status, in_ordinance,
note`` and optional ``reason`` (required when the status is ``cannot``).

Rules: ``no`` whole number 1-100,000; ``dimension`` 1-4; ``name`` required, at most
500 characters (NFC, stripped, runs of white space made one space); amounts
non-negative, at most 2 decimals, at most 999,999,999,999.99, Thai digits and
thousands separators accepted (``๑๐,๐๐๐.๐๐``), a blank amount is 0.00; ``status``
an English code or its Thai label; ``in_ordinance`` yes/no/true/false/1/0/ใช่/ไม่ใช่/✓
or blank (no); ``note`` and ``reason`` at most 500 characters.  Completely empty
rows are skipped (they keep their row number).

Exports neutralise text cells that a spreadsheet would run as a formula (starting
with ``= + - @``, tab or carriage return) by prefixing a single quote; imports
drop that quote again so that a round trip is lossless.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from approval import limits
from approval.plan_report.compute import (
    CENT,
    DIMENSIONS,
    MAX_AMOUNT,
    STATUS_LABELS,
    STATUSES,
    Project,
)
from approval.services.text import clean_text
from approval.thai import arabic_digits, thai_digits

COLUMNS: tuple[str, ...] = (
    "no",
    "dimension",
    "name",
    "budget",
    "ordinance_budget",
    "disbursed",
    "status",
    "in_ordinance",
    "note",
    "reason",
)
REQUIRED_COLUMNS: tuple[str, ...] = COLUMNS[:-1]  # the seed CSV has no "reason" column

#: Thai names of the columns, used in messages and accepted as header names.
COLUMN_LABELS: dict[str, str] = {
    "no": "ลำดับ",
    "dimension": "มิติ",
    "name": "รายการโครงการ",
    "budget": "งบประมาณ",
    "ordinance_budget": "งบประมาณตามข้อบัญญัติ",
    "disbursed": "เบิกจ่าย",
    "status": "สถานะ",
    "in_ordinance": "บรรจุในข้อบัญญัติ",
    "note": "หมายเหตุ",
    "reason": "เหตุผลที่ไม่สามารถดำเนินการได้",
}
THAI_HEADERS: dict[str, str] = {
    **{label: key for key, label in COLUMN_LABELS.items()},
    "ชื่อโครงการ": "name",
    "รายการโครงการ (ตั้งต้น)": "name",
    "งบประมาณ (บาท)": "budget",
    "งบประมาณตามแผน": "budget",
    "งบประมาณตามข้อบัญญัติ/เทศบัญญัติ": "ordinance_budget",
    "เบิกจ่าย (บาท)": "disbursed",
    "บรรจุในข้อบัญญัติ/เทศบัญญัติ/แผนดำเนินงาน": "in_ordinance",
    "เหตุผล": "reason",
}

MAX_ROWS = limits.PLAN_ROWS_MAX  # the one limit of projects: API, page form and imports
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED = limits.XLSX_UNCOMPRESSED_MAX
MAX_XLSX_PART = limits.XLSX_PART_MAX  # any part openpyxl reads whole (shared strings, styles...)
MAX_COLUMNS = limits.XLSX_COLUMNS_MAX
MAX_ROW_CELLS = limits.XLSX_ROW_CELLS_MAX
MAX_CELLS = limits.XLSX_CELLS_MAX
MAX_SCANNED_ROWS = limits.XLSX_SCANNED_ROWS_MAX  # XLSX rows read at most (blank formatted rows included)
MAX_NAME = 500
MAX_TEXT = 500  # plan_project.note / reason are String(500)
MAX_NO = 100_000

TRUE_WORDS = frozenset({"yes", "y", "true", "1", "ใช่", "✓", "✔", "/"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "ไม่ใช่", ""})

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_STATUS_BY_WORD: dict[str, str] = {s: s for s in STATUSES}
_STATUS_BY_WORD.update({re.sub(r"\s+", "", label): s for s, label in STATUS_LABELS.items()})

_AMOUNT_RE = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?\Z")
_INT_RE = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.0+)?\Z")
_SPACE_RE = re.compile(r"\s+")

MSG_AMOUNT = "ต้องเป็นตัวเลขไม่ติดลบ ทศนิยมไม่เกิน ๒ ตำแหน่ง"
MSG_AMOUNT_MAX = "ต้องไม่เกิน ๙๙๙,๙๙๙,๙๙๙,๙๙๙.๙๙"


def _error(row: int, column: str, message: str) -> dict[str, Any]:
    """``{"row", "column", "message"}``; row 0 is the header / the file itself."""
    if row:
        where = f"แถวที่ {thai_digits(row)} คอลัมน์ {COLUMN_LABELS.get(column, column)}"
    elif column:
        where = f"หัวตาราง คอลัมน์ {COLUMN_LABELS.get(column, column)}"
    else:
        where = "ไฟล์"
    return {"row": row, "column": column, "message": f"{where}: {message}"}


# --------------------------------------------------------------------------- cells


def _text(value: Any) -> str:
    """A cell as NFC text, stripped; a neutralising quote from our export removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(str(value), "file")
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        text = text[1:]
    return text


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_amount(value: Any) -> Decimal | None:
    """A non-negative amount with at most 2 decimals, or None when invalid.

    Accepts int, Decimal, float (from XLSX cells; via its shortest repr) and text
    with Thai or Arabic digits and thousands separators.  Blank is 0.00.
    """
    if isinstance(value, bool):
        return None
    if _is_blank(value):
        return Decimal("0.00")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        try:
            amount = Decimal(repr(value))
        except InvalidOperation:
            return None
    else:
        text = arabic_digits(_text(value))
        if not _AMOUNT_RE.match(text):
            return None
        amount = Decimal(text.replace(",", ""))
    if not amount.is_finite() or amount < 0:
        return None
    try:  # 27+ digits cannot be quantized (decimal.InvalidOperation): simply an invalid amount
        return amount.quantize(CENT) if amount == amount.quantize(CENT) else None
    except InvalidOperation:
        return None


def _parse_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else None
    text = arabic_digits(_text(value))
    if not _INT_RE.match(text):
        return None
    return int(Decimal(text.replace(",", "")))


def _parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float | Decimal) and value in (0, 1):
        return bool(value)
    word = arabic_digits(_text(value)).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _parse_status(value: Any) -> str | None:
    word = _SPACE_RE.sub("", _text(value)).lower()
    return _STATUS_BY_WORD.get(word)


# --------------------------------------------------------------------------- validation


def validate_rows(rows: Sequence[Mapping[str, Any]], first_row: int = 1) -> tuple[list[Project], list[dict[str, Any]]]:
    """Projects from raw rows, or the errors (then the projects list is empty).

    Row numbers in errors start at ``first_row``: 1 for the JSON API and the page's table
    (the first project is 1); a file passes the spreadsheet's own number of its first data
    row, so that "แถวที่ ๒" is the row the spreadsheet shows as 2 (the header being row 1).
    Keys other than the known columns are ignored (e.g. ``status_label``).
    """
    too_many = row_count_error(rows)
    if too_many:
        return [], [too_many]
    projects: list[Project] = []
    errors: list[dict[str, Any]] = []
    for index, raw in enumerate(rows, start=first_row):
        if not isinstance(raw, Mapping):
            errors.append(_error(index, "", "ข้อมูลแถวไม่ถูกต้อง"))
            continue
        if all(_is_blank(raw.get(c)) for c in COLUMNS):
            continue
        row_errors: list[dict[str, Any]] = []

        def fail(column: str, message: str) -> None:
            row_errors.append(_error(index, column, message))  # noqa: B023

        no = _parse_int(raw.get("no"))
        if no is None or not 1 <= no <= MAX_NO:
            fail("no", "ต้องเป็นจำนวนเต็ม ๑ ถึง ๑๐๐,๐๐๐")
        dimension = _parse_int(raw.get("dimension"))
        if dimension not in DIMENSIONS:
            fail("dimension", "ต้องเป็นเลข ๑ ถึง ๔")
        name = _SPACE_RE.sub(" ", _text(raw.get("name")))
        if not name:
            fail("name", "ต้องระบุชื่อโครงการ")
        elif len(name) > MAX_NAME:
            fail("name", "ต้องยาวไม่เกิน ๕๐๐ ตัวอักษร")
        amounts: dict[str, Decimal] = {}
        for column in ("budget", "ordinance_budget", "disbursed"):
            amount = parse_amount(raw.get(column))
            if amount is None:
                fail(column, MSG_AMOUNT)
            elif amount > MAX_AMOUNT:
                fail(column, MSG_AMOUNT_MAX)
            else:
                amounts[column] = amount
        status = _parse_status(raw.get("status"))
        if status is None:
            fail(
                "status",
                "ต้องเป็น " + " ".join(STATUS_LABELS[s] for s in STATUSES) + " หรือ " + " ".join(STATUSES),
            )
        in_ordinance = _parse_bool(raw.get("in_ordinance"))
        if in_ordinance is None:
            fail("in_ordinance", "ต้องเป็น ใช่ หรือ ไม่ใช่ (yes/no, ✓ หรือเว้นว่าง)")
        note = _text(raw.get("note"))
        if len(note) > MAX_TEXT:
            fail("note", "ต้องยาวไม่เกิน ๕๐๐ ตัวอักษร")
        reason = _text(raw.get("reason"))
        if len(reason) > MAX_TEXT:
            fail("reason", "ต้องยาวไม่เกิน ๕๐๐ ตัวอักษร")
        elif status == "cannot" and not reason:
            fail("reason", "ต้องระบุเหตุผลเมื่อสถานะเป็น ไม่สามารถดำเนินการได้")
        if row_errors:
            errors.extend(row_errors)
            continue
        projects.append(
            Project(
                no=no,  # type: ignore[arg-type]
                dimension=dimension,  # type: ignore[arg-type]
                name=name,
                budget=amounts["budget"],
                ordinance_budget=amounts["ordinance_budget"],
                disbursed=amounts["disbursed"],
                status=status,  # type: ignore[arg-type]
                in_ordinance=in_ordinance,  # type: ignore[arg-type]
                reason=reason,
                note=note,
            )
        )
    if errors:
        return [], errors
    return projects, []


def too_many_projects_message(count: int | None = None) -> str:
    now = f" (ขณะนี้ {thai_digits(f'{count:,}')} รายการ)" if count is not None else ""
    return f"รายการโครงการมีได้ไม่เกิน {thai_digits(f'{MAX_ROWS:,}')} รายการ{now}"


def row_count_error(rows: Sequence[Any]) -> dict[str, Any] | None:
    """The error of a list with more than MAX_ROWS non-blank rows (JSON API, page form), else None."""
    if len(rows) <= MAX_ROWS:
        return None
    count = sum(1 for raw in rows if not (isinstance(raw, Mapping) and all(_is_blank(raw.get(c)) for c in COLUMNS)))
    if count <= MAX_ROWS:
        return None
    return {"row": 0, "column": "projects", "message": too_many_projects_message(count)}


# --------------------------------------------------------------------------- tables


def _header_key(cell: Any) -> str:
    text = _text(cell).lstrip("\ufeff").strip()
    key = text.lower().replace(" ", "_")
    if key in COLUMNS:
        return key
    compact = _SPACE_RE.sub("", text)
    for thai, column in THAI_HEADERS.items():
        if compact == _SPACE_RE.sub("", thai):
            return column
    return ""


def _rows_from_table(table: Iterable[Sequence[Any]]) -> tuple[list[Project], list[dict[str, Any]]]:
    """Header row + data rows -> (projects, errors).  Stops reading after MAX_ROWS.

    The table's rows are the spreadsheet's rows from its first (blank ones included), so
    the errors name the row numbers the person sees in Excel or LibreOffice.
    """
    iterator = iter(table)
    header = None
    header_row = 0
    for header_row, header in enumerate(iterator, start=1):
        if not all(_is_blank(c) for c in header):
            break
    else:
        header = None
    if header is None:
        return [], [_error(0, "", "ไม่พบข้อมูล (ไฟล์ว่าง)")]
    errors: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for position, cell in enumerate(header):
        if _is_blank(cell):
            continue
        key = _header_key(cell)
        if not key:
            errors.append(_error(0, _text(cell), "ไม่รู้จักคอลัมน์นี้"))
        elif key in index:
            errors.append(_error(0, key, "มีคอลัมน์นี้ซ้ำ"))
        else:
            index[key] = position
    for key in REQUIRED_COLUMNS:
        if key not in index:
            errors.append(_error(0, key, "ไม่พบคอลัมน์นี้"))
    if errors:
        return [], errors
    rows: list[dict[str, Any]] = []
    for count, values in enumerate(iterator, start=1):
        if count > MAX_ROWS:
            return [], [_error(0, "", f"มีข้อมูลเกิน {thai_digits(f'{MAX_ROWS:,}')} แถว")]
        rows.append({key: (values[pos] if pos < len(values) else None) for key, pos in index.items()})
    return validate_rows(rows, first_row=header_row + 1)


def parse_csv(data: bytes) -> tuple[list[Project], list[dict[str, Any]]]:
    """Projects from a UTF-8 CSV (with or without BOM) with a header row."""
    if len(data) > MAX_FILE_BYTES:
        return [], [_error(0, "", "มีขนาดเกิน ๑๐ เมกะไบต์")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [_error(0, "", "ไฟล์ CSV ต้องเข้ารหัส UTF-8 (ใน Excel เลือกบันทึกเป็น CSV UTF-8)")]
    if "\x00" in text:
        return [], [_error(0, "", "ไม่ใช่ไฟล์ CSV")]
    try:
        return _rows_from_table(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return [], [_error(0, "", "รูปแบบไฟล์ CSV ไม่ถูกต้อง")]


def _too_many_rows() -> list[dict[str, Any]]:
    return [_error(0, "", f"มีข้อมูลเกิน {thai_digits(f'{MAX_ROWS:,}')} แถว")]


def _sheet_too_big() -> list[dict[str, Any]]:
    return [_error(0, "", "แผ่นงานมีขนาดใหญ่เกินกว่าที่นำเข้าได้ "
                          f"(ไม่เกิน {thai_digits(f'{MAX_ROWS:,}')} แถว แถวละไม่เกิน {thai_digits(MAX_COLUMNS)} คอลัมน์)")]


def _sheet_paths(archive: zipfile.ZipFile) -> list[str]:
    """The workbook's sheet parts in order (xl/workbook.xml's <sheet>s, through its relationships)."""
    # defusedxml: no DTDs, no entities (an upload is untrusted)
    from defusedxml.ElementTree import fromstring

    def local(name: str) -> str:
        return name.rpartition("}")[2]

    workbook = fromstring(archive.read("xl/workbook.xml"))
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") or "" for rel in rels.iter() if local(rel.tag) == "Relationship"}
    paths = []
    for sheet in (e for e in workbook.iter() if local(e.tag) == "sheet"):
        rid = next((v for k, v in sheet.attrib.items() if local(k) == "id"), None)
        target = targets.get(rid)
        if target:
            paths.append(target.lstrip("/") if target.startswith("/") else "xl/" + target)
    return paths


def _scan_sheet(stream, whole: bool = True) -> list[dict[str, Any]] | None:
    """Count the sheet's rows and cells while streaming its XML; stop at the first excess.

    openpyxl's read-only reader parses a whole ``<row>`` before it yields it (2,000,000
    cells of one row: 30 s), so the sheet is first read here with a pull parser, a chunk at
    a time, giving up as soon as one row has more than MAX_ROW_CELLS cells, the sheet more
    than MAX_CELLS cells or MAX_SCANNED_ROWS rows, or it declares a larger dimension.
    None when the sheet is within the limits.  A sheet other than the first (``whole``
    false) is only read up to its <dimension>, as far as openpyxl reads it.
    """
    from xml.etree.ElementTree import XMLPullParser

    parser = XMLPullParser(events=("start", "end"))
    rows = cells = row_cells = 0
    tail = b""
    while True:
        chunk = stream.read(16 * 1024)  # small: expat queues every event of a chunk
        if not chunk:
            break
        if b"<!DOCTYPE" in tail + chunk or b"<!ENTITY" in tail + chunk:
            raise ValueError("a sheet with a DTD")  # Excel never writes one; entities could expand
        tail = chunk[-16:]
        parser.feed(chunk)
        for event, element in parser.read_events():
            tag = element.tag.rpartition("}")[2]
            if event == "end":
                if tag == "row":
                    element.clear()
                continue
            if tag == "c":
                cells += 1
                row_cells += 1
                if row_cells > MAX_ROW_CELLS or cells > MAX_CELLS:
                    return _sheet_too_big()
            elif tag == "row":
                rows += 1
                row_cells = 0
                if rows > MAX_SCANNED_ROWS:
                    return _too_many_rows()
            elif tag == "dimension":
                if not whole:  # openpyxl reads no further into a sheet we do not import
                    return None
                if _declared_too_big(element.get("ref") or ""):
                    return _sheet_too_big()
    parser.close()
    return None


_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})\Z")


def _declared_too_big(ref: str) -> bool:
    """A <dimension ref="A1:XFD1048576"> wider or longer than anything importable."""
    match = _CELL_REF.match(ref.rpartition(":")[2].replace("$", "").upper())
    if not match:
        return False
    letters, row = match.groups()
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return column > MAX_ROW_CELLS or int(row) > MAX_SCANNED_ROWS


def parse_xlsx(data: bytes) -> tuple[list[Project], list[dict[str, Any]]]:
    """Projects from the first sheet of an XLSX workbook with a header row.

    Bounded work whatever the file: its size (MAX_FILE_BYTES), the uncompressed size of
    its parts (MAX_XLSX_UNCOMPRESSED in all, MAX_XLSX_PART for each part read whole), then
    the first sheet streamed by :func:`_scan_sheet` before openpyxl reads its values.
    """
    not_xlsx = [_error(0, "", "ไม่ใช่ไฟล์ Excel (.xlsx) ที่ถูกต้อง")]
    too_big = [_error(0, "", "มีขนาดเมื่อคลายการบีบอัดใหญ่เกินไป")]
    if len(data) > MAX_FILE_BYTES:
        return [], [_error(0, "", "มีขนาดเกิน ๑๐ เมกะไบต์")]
    if not data.startswith(b"PK\x03\x04"):
        return [], not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                return [], not_xlsx
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > MAX_XLSX_UNCOMPRESSED:
                return [], too_big
            if any(info.file_size > MAX_XLSX_PART for info in infos
                   if not info.filename.startswith("xl/worksheets/")):
                return [], too_big
            # Every sheet is streamed and counted before openpyxl opens the workbook: its
            # read-only loader sizes each sheet, parsing all of one that lacks a <dimension>.
            try:
                sheets = _sheet_paths(archive)
                others = [i.filename for i in infos
                          if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
                for position, path in enumerate(sheets + [p for p in others if p not in sheets]):
                    if path not in names:
                        continue
                    with archive.open(path) as stream:
                        refused = _scan_sheet(stream, whole=position == 0 or not sheets)
                    if refused:
                        return [], refused
            except Exception:  # noqa: BLE001 - malformed XML, a bad CRC
                return [], not_xlsx
    except (zipfile.BadZipFile, OSError, ValueError):
        return [], not_xlsx
    from openpyxl import load_workbook  # imported lazily: only the import needs it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on malformed content
        return [], not_xlsx
    try:
        if not workbook.worksheets:
            return [], [_error(0, "", "ไม่พบข้อมูล (ไฟล์ว่าง)")]
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # do not trust the stored dimension tag
        table: list[tuple[Any, ...]] = []
        filled = 0
        try:
            # Formatted but empty rows come out as all-None tuples: they are kept (row
            # numbers stay right) but only rows with a value count against the cap.
            rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            for values in islice(rows, MAX_SCANNED_ROWS + 1):
                table.append(values)
                if not all(_is_blank(v) for v in values):
                    filled += 1
                    if filled > MAX_ROWS + 1:  # + the header
                        return [], _too_many_rows()
        except Exception:  # noqa: BLE001 - malformed sheet XML surfaces while iterating
            return [], not_xlsx
    finally:
        workbook.close()
    if len(table) > MAX_SCANNED_ROWS:
        return [], _too_many_rows()
    while table and all(_is_blank(v) for v in table[-1]):
        table.pop()
    return _rows_from_table(table)


# --------------------------------------------------------------------------- export


def neutralise(text: str) -> str:
    """Prefix a single quote to text a spreadsheet would take for a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


#: The header row of exports and of the template: the Thai column names (imports accept
#: these and the English codes alike).
EXPORT_HEADER: tuple[str, ...] = tuple(COLUMN_LABELS[c] for c in COLUMNS)
#: What an export writes in the "in_ordinance" column (imports accept these and yes/no).
YES_NO = ("ใช่", "ไม่ใช่")


def _export_row(p: Project) -> list[Any]:
    return [
        p.no,
        p.dimension,
        neutralise(p.name),
        p.budget,
        p.ordinance_budget,
        p.disbursed,
        STATUS_LABELS[p.status],
        YES_NO[0] if p.in_ordinance else YES_NO[1],
        neutralise(p.note),
        neutralise(p.reason),
    ]


def _csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_csv(projects: Iterable[Project]) -> bytes:
    """UTF-8 CSV with a BOM (so Excel opens Thai correctly): Thai headers and status words."""
    rows = []
    for p in sorted(projects, key=lambda p: p.no):
        row = _export_row(p)
        row[3:6] = [f"{amount:.2f}" for amount in row[3:6]]
        rows.append(row)
    return _csv_bytes(rows)


def _new_workbook(title: str):
    from openpyxl import Workbook

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(EXPORT_HEADER))
    for letter, width in zip("ABCDEFGHIJ", (8, 6, 60, 14, 20, 14, 22, 16, 24, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    return workbook, sheet


def _xlsx_bytes(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_xlsx(projects: Iterable[Project]) -> bytes:
    """An XLSX workbook with one sheet; amounts are numeric cells (format #,##0.00)."""
    from openpyxl.cell.cell import TYPE_STRING

    workbook, sheet = _new_workbook("projects")
    for p in sorted(projects, key=lambda p: p.no):
        sheet.append(_export_row(p))
        row = sheet.max_row
        for col in (4, 5, 6):
            sheet.cell(row=row, column=col).number_format = "#,##0.00"
        for col in (3, 9, 10):  # never let openpyxl read a text cell as a formula
            cell = sheet.cell(row=row, column=col)
            cell.data_type = TYPE_STRING
    return _xlsx_bytes(workbook)


def template_rules() -> list[tuple[str, str]]:
    """(Thai column name, what it accepts) for the template's instructions and the import form."""
    return [
        (COLUMN_LABELS["no"], "จำนวนเต็ม ๑ ถึง ๑๐๐,๐๐๐"),
        (COLUMN_LABELS["dimension"], "เลข ๑ ถึง ๔ ("
         + " ".join(f"{thai_digits(d)} = {name}" for d, name in DIMENSIONS.items()) + ")"),
        (COLUMN_LABELS["name"], "ต้องระบุ ยาวไม่เกิน ๕๐๐ ตัวอักษร"),
        (COLUMN_LABELS["budget"], "จำนวนเงิน (บาท) ไม่ติดลบ ทศนิยมไม่เกิน ๒ ตำแหน่ง เว้นว่างได้ (= ๐)"),
        (COLUMN_LABELS["ordinance_budget"], "จำนวนเงิน (บาท) เช่นเดียวกับงบประมาณ"),
        (COLUMN_LABELS["disbursed"], "จำนวนเงิน (บาท) เช่นเดียวกับงบประมาณ"),
        (COLUMN_LABELS["status"], "คำใดคำหนึ่งต่อไปนี้: " + " / ".join(STATUS_LABELS[s] for s in STATUSES)),
        (COLUMN_LABELS["in_ordinance"], "ใช่ หรือ ไม่ใช่ (เว้นว่าง = ไม่ใช่)"),
        (COLUMN_LABELS["note"], "ข้อความ ไม่เกิน ๕๐๐ ตัวอักษร เว้นว่างได้"),
        (COLUMN_LABELS["reason"], "ต้องระบุเมื่อสถานะเป็น ไม่สามารถดำเนินการได้ ไม่เกิน ๕๐๐ ตัวอักษร"),
    ]


def template_csv() -> bytes:
    """The empty CSV template: the Thai header row only (the page lists what each column accepts)."""
    return _csv_bytes([])


def template_xlsx() -> bytes:
    """The XLSX template: an empty first sheet with Thai headers and drop-down lists of the
    allowed words (status, dimension, ใช่/ไม่ใช่), and a second sheet that explains each column.

    Only the first sheet is imported, so the instructions never become a project.
    """
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook, sheet = _new_workbook("รายการโครงการ")
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    last = MAX_ROWS + 1
    lists = (
        ("G", [STATUS_LABELS[s] for s in STATUSES], "สถานะ", "เลือกจากรายการ"),
        ("B", [str(d) for d in DIMENSIONS], "มิติ", "เลข ๑ ถึง ๔"),
        ("H", list(YES_NO), "บรรจุในข้อบัญญัติ", "ใช่ หรือ ไม่ใช่"),
    )
    for column, words, title, prompt in lists:
        rule = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True,
                              showErrorMessage=True, errorTitle=title,
                              error="กรุณาเลือก: " + " / ".join(words), promptTitle=title, prompt=prompt)
        rule.add(f"{column}2:{column}{last}")
        sheet.add_data_validation(rule)
    notes = workbook.create_sheet("คำอธิบาย")
    notes.append(["คอลัมน์", "สิ่งที่กรอกได้"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for name, rule in template_rules():
        notes.append([name, rule])
    notes.append([])
    notes.append(["หมายเหตุ", ("แถวแรกเป็นหัวตาราง ข้อมูลเริ่มที่แถวที่ ๒ แถวที่ว่างทั้งแถวจะถูกข้าม "
                  "หากมีแถวใดผิดจะไม่บันทึกข้อมูลใด ๆ และระบบจะแจ้งเลขแถวตามที่เห็นในโปรแกรมตารางคำนวณ")])
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 120
    return _xlsx_bytes(workbook)


def load_demo_projects() -> list[Project]:
    """The reference memo's 49 projects (``approval/plan_report/plan-2567-round6-projects.csv``)."""
    from pathlib import Path

    path = Path(__file__).resolve().parent / "plan-2567-round6-projects.csv"
    projects, errors = parse_csv(path.read_bytes())
    if errors:  # pragma: no cover - the shipped file is valid
        raise ValueError(errors)
    return projects

