"""Validation, CSV/XLSX import and export of the plan's project list."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from approval.plan_report.compute import Project
from approval.plan_report.io import (
    COLUMNS,
    EXPORT_HEADER,
    MAX_ROWS,
    export_csv,
    export_xlsx,
    load_demo_projects,
    neutralise,
    parse_amount,
    parse_csv,
    parse_xlsx,
    template_csv,
    template_rules,
    template_xlsx,
    validate_rows,
)
from approval.thai import thai_digits

D = Decimal
DEMO = Path(__file__).resolve().parent.parent / "approval/plan_report/plan-2567-round6-projects.csv"


TOO_MANY = f"ไฟล์: มีข้อมูลเกิน {thai_digits(f'{MAX_ROWS:,}')} แถว"


def good(**overrides) -> dict:
    row = {
        "no": "1", "dimension": "1", "name": "โครงการโรงเรียนคุณธรรม", "budget": "20000.00",
        "ordinance_budget": "0.00", "disbursed": "0.00", "status": "in_progress", "in_ordinance": "no", "note": "",
    }
    row.update(overrides)
    return row


def only_error(rows) -> dict:
    projects, errors = validate_rows(rows)
    assert projects == []
    assert len(errors) == 1, errors
    return errors[0]


# --------------------------------------------------------------------------- validate_rows


def test_valid_row():
    projects, errors = validate_rows([good()])
    assert errors == []
    assert projects == [
        Project(no=1, dimension=1, name="โครงการโรงเรียนคุณธรรม", budget=D("20000.00"), ordinance_budget=D("0.00"),
                disbursed=D("0.00"), status="in_progress", in_ordinance=False, reason="", note="")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("๑๐,๐๐๐.๐๐", "10000.00"),
        ("10,000.00", "10000.00"),
        ("1,234,567.5", "1234567.50"),
        ("๑๑๒๖๕๒", "112652.00"),
        (" 0 ", "0.00"),
        ("", "0.00"),
        (None, "0.00"),
        ("999,999,999,999.99", "999999999999.99"),
        ("1.50", "1.50"),
        ("1.500", "1.50"),  # trailing zeros are not more precision
        (10000, "10000.00"),
        (D("5.5"), "5.50"),
        (112652.0, "112652.00"),  # an XLSX numeric cell
        (0.1, "0.10"),
    ],
)
def test_amounts_parse(text, expected):
    assert str(parse_amount(text)) == expected


@pytest.mark.parametrize(
    "text", ["-1", "-0.01", "1.001", "1.234", "abc", "1,00", "1,0000", "12,34.5", "1e3", "NaN", "Infinity", "1.",
             ".5", "๑๒๓.๔๕๖", True, 0.125, D("-1"), D("NaN"), "10 000", "฿100", "1 ,000", "١٢"],
)
def test_amounts_refused(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize("column", ["budget", "ordinance_budget", "disbursed"])
@pytest.mark.parametrize("value", ["-5", "1.234", "หนึ่งร้อย"])
def test_amount_errors_name_row_and_column(column, value):
    labels = {"budget": "งบประมาณ", "ordinance_budget": "งบประมาณตามข้อบัญญัติ", "disbursed": "เบิกจ่าย"}
    error = only_error([good(), good(no="2"), good(no="3", **{column: value})])
    assert error == {
        "row": 3, "column": column,
        "message": f"แถวที่ ๓ คอลัมน์ {labels[column]}: ต้องเป็นตัวเลขไม่ติดลบ ทศนิยมไม่เกิน ๒ ตำแหน่ง",
    }


def test_amount_maximum():
    assert validate_rows([good(budget="999,999,999,999.99")])[1] == []
    error = only_error([good(budget="1,000,000,000,000.00")])
    assert error["message"] == "แถวที่ ๑ คอลัมน์ งบประมาณ: ต้องไม่เกิน ๙๙๙,๙๙๙,๙๙๙,๙๙๙.๙๙"


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "x", "", None, "100001", True])
def test_no_rule(value):
    error = only_error([good(no=value)])
    assert (error["row"], error["column"]) == (1, "no")
    assert error["message"] == "แถวที่ ๑ คอลัมน์ ลำดับ: ต้องเป็นจำนวนเต็ม ๑ ถึง ๑๐๐,๐๐๐"


def test_no_accepts_thai_digits_and_integral_floats():
    projects, errors = validate_rows([good(no="๔๙"), good(no=48.0), good(no="1,000"), good(no=D("7"))])
    assert errors == []
    assert [p.no for p in projects] == [49, 48, 1000, 7]


@pytest.mark.parametrize("value", ["0", "5", "x", "", "1.5"])
def test_dimension_rule(value):
    error = only_error([good(dimension=value)])
    assert error == {"row": 1, "column": "dimension", "message": "แถวที่ ๑ คอลัมน์ มิติ: ต้องเป็นเลข ๑ ถึง ๔"}


def test_dimension_thai_digit():
    assert validate_rows([good(dimension="๔")])[0][0].dimension == 4


def test_name_rules():
    assert only_error([good(name="   ")])["message"] == "แถวที่ ๑ คอลัมน์ รายการโครงการ: ต้องระบุชื่อโครงการ"
    assert only_error([good(name=None)])["column"] == "name"
    assert only_error([good(name="ก" * 501)])["message"] == "แถวที่ ๑ คอลัมน์ รายการโครงการ: ต้องยาวไม่เกิน ๕๐๐ ตัวอักษร"
    assert validate_rows([good(name="ก" * 500)])[1] == []
    # NFC, stripped, inner white space collapsed
    decomposed = "  โครงการ\u0e4d\u0e32  \n ทดสอบ  "  # nikhahit + sara aa: NFC keeps them (no composition in Thai)
    name = validate_rows([good(name=decomposed)])[0][0].name
    assert name == "โครงการ\u0e4d\u0e32 ทดสอบ"
    assert validate_rows([good(name="Cafe\u0301")])[0][0].name == "Café"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("waiting", "waiting"), ("in_progress", "in_progress"), ("completed", "completed"), ("COMPLETED", "completed"),
        ("รอรายงาน", "waiting"), ("อยู่ระหว่างดำเนินการ", "in_progress"), ("ดำเนินการแล้วเสร็จ", "completed"),
        ("อยู่ระหว่าง ดำเนินการ", "in_progress"), (" ดำเนินการแล้วเสร็จ ", "completed"),
    ],
)
def test_status_accepts_codes_and_thai_labels(value, expected):
    assert validate_rows([good(status=value)])[0][0].status == expected


@pytest.mark.parametrize("value", ["done", "", None, "เสร็จ"])
def test_status_rule(value):
    error = only_error([good(status=value)])
    assert error["column"] == "status"
    assert error["message"].startswith("แถวที่ ๑ คอลัมน์ สถานะ: ต้องเป็น รอรายงาน อยู่ระหว่างดำเนินการ")


def test_cannot_requires_reason():
    error = only_error([good(status="cannot")])
    assert error == {
        "row": 1, "column": "reason",
        "message": "แถวที่ ๑ คอลัมน์ เหตุผลที่ไม่สามารถดำเนินการได้: ต้องระบุเหตุผลเมื่อสถานะเป็น ไม่สามารถดำเนินการได้",
    }
    projects, errors = validate_rows([good(status="ไม่สามารถดำเนินการได้", reason=" งบประมาณไม่เพียงพอ ")])
    assert errors == [] and projects[0].reason == "งบประมาณไม่เพียงพอ" and projects[0].status == "cannot"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("yes", True), ("YES", True), ("true", True), ("1", True), ("ใช่", True), ("✓", True), (True, True), (1, True),
     ("๑", True), ("no", False), ("false", False), ("0", False), ("ไม่ใช่", False), ("", False), (None, False),
     (False, False), (0, False)],
)
def test_in_ordinance_values(value, expected):
    assert validate_rows([good(in_ordinance=value)])[0][0].in_ordinance is expected


def test_in_ordinance_rule():
    error = only_error([good(in_ordinance="maybe")])
    assert error["column"] == "in_ordinance"
    assert error["message"].startswith("แถวที่ ๑ คอลัมน์ บรรจุในข้อบัญญัติ: ต้องเป็น ใช่ หรือ ไม่ใช่")


def test_note_and_reason_length():
    assert only_error([good(note="ก" * 501)])["message"] == "แถวที่ ๑ คอลัมน์ หมายเหตุ: ต้องยาวไม่เกิน ๕๐๐ ตัวอักษร"
    assert only_error([good(reason="ก" * 501)])["column"] == "reason"


def test_nothing_valid_when_any_row_is_invalid():
    projects, errors = validate_rows([good(), good(no="2", budget="-1"), good(no="3")])
    assert projects == []
    assert [(e["row"], e["column"]) for e in errors] == [(2, "budget")]


def test_every_error_of_a_row_is_reported():
    projects, errors = validate_rows([good(no="x", dimension="9", name="", budget="-1", status="?", in_ordinance="?")])
    assert projects == []
    assert [e["column"] for e in errors] == ["no", "dimension", "name", "budget", "status", "in_ordinance"]
    assert all(e["message"].startswith("แถวที่ ๑ คอลัมน์ ") for e in errors)


def test_blank_rows_skipped_but_counted_and_extra_keys_ignored():
    rows = [good(), {k: "" for k in COLUMNS}, good(no="3", budget="x")]
    assert only_error(rows)["row"] == 3
    projects, errors = validate_rows([{**good(), "status_label": "อยู่ระหว่างดำเนินการ", "id": 5}])
    assert errors == [] and len(projects) == 1
    assert validate_rows(["not a row"])[1][0]["row"] == 1  # type: ignore[list-item]


def test_json_api_values():
    projects, errors = validate_rows([
        {"no": 48, "dimension": 4, "name": "กิจกรรม", "budget": 200000, "ordinance_budget": D("0"),
         "disbursed": "112652.00", "status": "completed", "in_ordinance": True}
    ])
    assert errors == []
    assert projects[0].budget == D("200000.00") and projects[0].disbursed == D("112652.00")
    assert projects[0].in_ordinance is True and projects[0].note == "" and projects[0].reason == ""


# --------------------------------------------------------------------------- CSV


def test_parse_seed_csv():
    projects, errors = parse_csv(DEMO.read_bytes())
    assert errors == []
    assert len(projects) == 49
    assert projects[10].name == 'โครงการบุคลากรต้นแบบ ด้าน "บริการเป็นเลิศ"'
    assert projects[47] == Project(
        no=48, dimension=4, name="กิจกรรมส่งเสริมและพัฒนาศักยภาพสมาชิกสภาท้องถิ่น", budget=D("200000.00"),
        ordinance_budget=D("0.00"), disbursed=D("112652.00"), status="completed", in_ordinance=True,
    )
    assert sum(p.in_ordinance for p in projects) == 3
    assert load_demo_projects() == projects


def test_parse_csv_with_bom_thai_headers_and_thai_digits():
    data = (
        "\ufeffลำดับ,มิติ,รายการโครงการ,งบประมาณ,งบประมาณตามข้อบัญญัติ,เบิกจ่าย,สถานะ,บรรจุในข้อบัญญัติ,หมายเหตุ\r\n"
        '๑,๔,โครงการทดสอบ,"๑๐,๐๐๐.๐๐",๐.๐๐,"๒,๕๐๐.๕๐",ดำเนินการแล้วเสร็จ,ใช่,\r\n'
        ",,,,,,,,\r\n"
    ).encode()
    projects, errors = parse_csv(data)
    assert errors == []
    assert projects == [
        Project(no=1, dimension=4, name="โครงการทดสอบ", budget=D("10000.00"), ordinance_budget=D("0.00"),
                disbursed=D("2500.50"), status="completed", in_ordinance=True)
    ]


def test_parse_csv_error_row_numbers_are_the_spreadsheets_rows():
    """The header is row 1, the first project row 2: "แถวที่ ๓" is the row Excel shows as 3."""
    data = b"no,dimension,name,budget,ordinance_budget,disbursed,status,in_ordinance,note\n" + (
        "1,1,ก,1,0,0,waiting,no,\n2,1,ข,1.234,0,0,waiting,no,\n"
    ).encode()
    projects, errors = parse_csv(data)
    assert projects == []
    assert errors == [{
        "row": 3, "column": "budget",
        "message": "แถวที่ ๓ คอลัมน์ งบประมาณ: ต้องเป็นตัวเลขไม่ติดลบ ทศนิยมไม่เกิน ๒ ตำแหน่ง",
    }]


def test_parse_csv_header_problems():
    projects, errors = parse_csv(b"no,dimension,name,budget,disbursd,status,in_ordinance,note\n1,1,a,0,0,waiting,no,\n")
    assert projects == []
    assert {(e["row"], e["column"]) for e in errors} == {(0, "disbursd"), (0, "ordinance_budget"), (0, "disbursed")}
    messages = {e["message"] for e in errors}
    assert "หัวตาราง คอลัมน์ disbursd: ไม่รู้จักคอลัมน์นี้" in messages
    assert "หัวตาราง คอลัมน์ เบิกจ่าย: ไม่พบคอลัมน์นี้" in messages
    dup = parse_csv(b"no,no,dimension,name,budget,ordinance_budget,disbursed,status,in_ordinance,note\n")[1]
    assert dup == [{"row": 0, "column": "no", "message": "หัวตาราง คอลัมน์ ลำดับ: มีคอลัมน์นี้ซ้ำ"}]


def test_parse_csv_bad_files():
    assert parse_csv(b"")[1][0]["message"] == "ไฟล์: ไม่พบข้อมูล (ไฟล์ว่าง)"
    assert "UTF-8" in parse_csv("ลำดับ".encode("cp874"))[1][0]["message"]
    assert parse_csv(b"a\x00b")[1][0]["message"] == "ไฟล์: ไม่ใช่ไฟล์ CSV"
    header = "no,dimension,name,budget,ordinance_budget,disbursed,status,in_ordinance,note\n"
    big = (header + "1,1,a,0,0,0,waiting,no,\n" * (MAX_ROWS + 1)).encode()
    assert parse_csv(big) == ([], [{"row": 0, "column": "", "message": TOO_MANY}])
    assert parse_csv((header + "1,1,a,0,0,0,waiting,no,\n" * MAX_ROWS).encode())[1] == []
    assert "ขนาดเกิน" in parse_csv(b"x" * (10 * 1024 * 1024 + 1))[1][0]["message"]


def test_csv_round_trip_with_bom_and_formula_neutralisation():
    projects = load_demo_projects() + [
        Project(no=50, dimension=1, name="=HYPERLINK(\"http://x\")", budget=D("1.50"), ordinance_budget=D("2.00"),
                disbursed=D("0.00"), status="cannot", in_ordinance=False, reason="@SUM(A1)", note="+1 -2"),
        Project(no=51, dimension=2, name="-โครงการ", budget=D("0.00"), ordinance_budget=D("0.00"),
                disbursed=D("0.00"), status="waiting", in_ordinance=True, note="\tแท็บ"),
    ]
    data = export_csv(projects)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(EXPORT_HEADER)  # Thai column names
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "'+1 -2" in text and "'-โครงการ" in text
    # Thai status words and ใช่/ไม่ใช่, as a Thai official types them (the import reads them back)
    assert "48,4,กิจกรรมส่งเสริมและพัฒนาศักยภาพสมาชิกสภาท้องถิ่น,200000.00,0.00,112652.00,ดำเนินการแล้วเสร็จ,ใช่,," in text
    assert ",completed," not in text and ",yes," not in text
    back, errors = parse_csv(data)
    assert errors == []
    assert back == projects


def test_neutralise():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("+66") == "'+66"
    assert neutralise("-") == "'-"
    assert neutralise("@x") == "'@x"
    assert neutralise("โครงการ") == "โครงการ"
    assert neutralise("") == ""


# --------------------------------------------------------------------------- XLSX


def test_xlsx_round_trip_numeric_cells_and_neutralised_text():
    from openpyxl import load_workbook

    projects = load_demo_projects() + [
        Project(no=50, dimension=3, name="=1+1", budget=D("0.10"), ordinance_budget=D("0.20"), disbursed=D("0.30"),
                status="cannot", in_ordinance=False, reason="-เหตุผล", note="@note"),
    ]
    data = export_xlsx(projects)
    assert data.startswith(b"PK\x03\x04")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(EXPORT_HEADER)
    row48 = [c for c in sheet[49]]
    assert isinstance(row48[3].value, int | float | Decimal) and row48[3].value == 200000
    assert row48[5].value == 112652 and row48[5].number_format == "#,##0.00"
    last = sheet[51]
    assert last[2].value == "'=1+1" and last[2].data_type == "s"
    assert last[8].value == "'@note" and last[9].value == "'-เหตุผล"
    back, errors = parse_xlsx(data)
    assert errors == []
    assert back == projects


def test_parse_xlsx_thai_headers_and_text_cells():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["ลำดับ", "มิติ", "รายการโครงการ (ตั้งต้น)", "งบประมาณ (บาท)", "งบประมาณตามข้อบัญญัติ", "เบิกจ่าย (บาท)",
               "สถานะ", "บรรจุในข้อบัญญัติ", "หมายเหตุ", "เหตุผล"])
    ws.append(["๑", 2, "  มาตรการ NO Gift Policy ", "๑๐,๐๐๐.๐๐", None, 0, "อยู่ระหว่างดำเนินการ", "✓", None, None])
    ws.append([None] * 10)
    ws.append([3, 2, "x", 1.005, 0, 0, "waiting", "no", None, None])
    out = io.BytesIO()
    wb.save(out)
    projects, errors = parse_xlsx(out.getvalue())
    assert projects == []
    assert errors == [{  # header row 1, a project on row 2, row 3 blank, the bad amount on row 4
        "row": 4, "column": "budget",
        "message": "แถวที่ ๔ คอลัมน์ งบประมาณ: ต้องเป็นตัวเลขไม่ติดลบ ทศนิยมไม่เกิน ๒ ตำแหน่ง",
    }]
    ws.delete_rows(4)
    out = io.BytesIO()
    wb.save(out)
    projects, errors = parse_xlsx(out.getvalue())
    assert errors == []
    assert projects == [Project(no=1, dimension=2, name="มาตรการ NO Gift Policy", budget=D("10000.00"),
                                ordinance_budget=D("0.00"), disbursed=D("0.00"), status="in_progress",
                                in_ordinance=True)]


def test_parse_xlsx_refuses_non_xlsx():
    message = "ไฟล์: ไม่ใช่ไฟล์ Excel (.xlsx) ที่ถูกต้อง"
    assert parse_xlsx(b"no,dimension\n")[1][0]["message"] == message
    assert parse_xlsx(b"PK\x03\x04garbage")[1][0]["message"] == message
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("hello.txt", "hi")
    assert parse_xlsx(other_zip.getvalue())[1][0]["message"] == message
    fake = io.BytesIO()
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("[Content_Types].xml", "<not really/>")
        z.writestr("xl/workbook.xml", "nope")
    assert parse_xlsx(fake.getvalue())[1][0]["message"] == message


def test_parse_xlsx_guards(monkeypatch):
    from approval.plan_report import io as plan_io

    monkeypatch.setattr(plan_io, "MAX_XLSX_UNCOMPRESSED", 100_000)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "x")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 100_001)
    assert parse_xlsx(bomb.getvalue())[1][0]["message"] == "ไฟล์: มีขนาดเมื่อคลายการบีบอัดใหญ่เกินไป"
    monkeypatch.undo()
    assert "ขนาดเกิน" in parse_xlsx(b"PK\x03\x04" + b"0" * (10 * 1024 * 1024))[1][0]["message"]

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(list(COLUMNS))
    for i in range(MAX_ROWS + 1):
        ws.append([i + 1, 1, "a", 0, 0, 0, "waiting", "no", None, None])
    out = io.BytesIO()
    wb.save(out)
    assert parse_xlsx(out.getvalue()) == ([], [{"row": 0, "column": "", "message": TOO_MANY}])


def test_parse_xlsx_empty_workbook():
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    assert parse_xlsx(out.getvalue())[1][0]["message"] == "ไฟล์: ไม่พบข้อมูล (ไฟล์ว่าง)"


def test_parse_xlsx_ignores_formatted_blank_rows_below_the_data():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    ws.append([1, 1, "a", 0, 0, 0, "waiting", "no", None, None])
    for row in range(3, 6003):  # formatted, empty: more rows than the cap, none counted
        ws.cell(row=row, column=1).number_format = "0.00"
    out = io.BytesIO()
    wb.save(out)
    projects, errors = parse_xlsx(out.getvalue())
    assert errors == [] and [p.no for p in projects] == [1]


# --------------------------------------------------------------------------- XLSX limits (hostile sheets)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def raw_xlsx(rows, dimension: str | None = None) -> bytes:
    """A minimal workbook whose sheet XML is written here, row by row (``rows``: XML strings)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?>'
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for row in rows:
                sheet.write(row.encode() if isinstance(row, str) else row)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _inline_row(r: int, values) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f'<row r="{r}">{cells}</row>'


def _wide_row(cells: int) -> bytes:
    return b'<row r="1">' + b"<c/>" * cells + b"</row>"


def test_raw_xlsx_helper_imports_a_normal_sheet():
    data = raw_xlsx([_inline_row(1, COLUMNS[:-1]), _inline_row(2, [1, 1, "โครงการ", 0, 0, 0, "waiting", "no", ""])])
    projects, errors = parse_xlsx(data)
    assert errors == [] and [p.name for p in projects] == ["โครงการ"]


@pytest.mark.parametrize("cells", [2_000_000, 300_000])
def test_parse_xlsx_refuses_a_huge_row_at_once(cells):
    import time
    import tracemalloc

    data = raw_xlsx([_wide_row(cells)])
    assert len(data) < 300_000
    started = time.perf_counter()
    projects, errors = parse_xlsx(data)
    elapsed = time.perf_counter() - started
    assert projects == [] and len(errors) == 1
    assert errors[0]["message"].startswith("ไฟล์: แผ่นงานมีขนาดใหญ่เกินกว่าที่นำเข้าได้")
    assert elapsed < 1.0, elapsed  # was 30 s (2,000,000 cells) and 7.6 s (300,000)
    tracemalloc.start()
    assert parse_xlsx(data) == (projects, errors)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 30 * 2**20, peak  # was 355 MB for 300,000 cells


def test_parse_xlsx_refuses_a_huge_declared_dimension_before_reading_cells():
    data = raw_xlsx([_inline_row(1, COLUMNS[:-1])], dimension="A1:XFD1048576")
    assert parse_xlsx(data)[1][0]["message"].startswith("ไฟล์: แผ่นงานมีขนาดใหญ่เกินกว่าที่นำเข้าได้")


def test_parse_xlsx_refuses_too_many_cells_in_all(monkeypatch):
    from approval.plan_report import io as plan_io

    monkeypatch.setattr(plan_io, "MAX_CELLS", 200)
    rows = [_inline_row(1, COLUMNS[:-1])] + [_inline_row(r, [r, 1, "a", 0, 0, 0, "waiting", "no", ""])
                                              for r in range(2, 40)]
    assert parse_xlsx(raw_xlsx(rows))[1][0]["message"].startswith("ไฟล์: แผ่นงานมีขนาดใหญ่เกินกว่าที่นำเข้าได้")


def test_parse_xlsx_refuses_too_many_rows_while_streaming(monkeypatch):
    from approval.plan_report import io as plan_io

    monkeypatch.setattr(plan_io, "MAX_SCANNED_ROWS", 50)
    rows = [_inline_row(1, COLUMNS[:-1])] + [f'<row r="{r}"/>' for r in range(2, 100)]
    assert parse_xlsx(raw_xlsx(rows)) == ([], [{"row": 0, "column": "", "message": TOO_MANY}])
    data_rows = [_inline_row(1, COLUMNS[:-1])] + [_inline_row(r, [r, 1, "a", 0, 0, 0, "waiting", "no", ""])
                                                   for r in range(2, MAX_ROWS + 3)]
    monkeypatch.undo()
    assert parse_xlsx(raw_xlsx(data_rows)) == ([], [{"row": 0, "column": "", "message": TOO_MANY}])


def test_parse_xlsx_refuses_a_large_part_read_whole(monkeypatch):
    from approval.plan_report import io as plan_io

    monkeypatch.setattr(plan_io, "MAX_XLSX_PART", 1000)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw_xlsx([_inline_row(1, COLUMNS[:-1])]))) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, src.read(item))
        z.writestr("xl/sharedStrings.xml", "<sst>" + "<si><t>a</t></si>" * 1000 + "</sst>")
    assert parse_xlsx(out.getvalue())[1][0]["message"] == "ไฟล์: มีขนาดเมื่อคลายการบีบอัดใหญ่เกินไป"


def test_validate_rows_counts_rows_against_the_one_limit():
    row = {"no": 1, "dimension": 1, "name": "a", "budget": 0, "ordinance_budget": 0, "disbursed": 0,
           "status": "waiting", "in_ordinance": "no"}
    projects, errors = validate_rows([dict(row, no=i) for i in range(1, MAX_ROWS + 1)] + [{}] * 5)
    assert errors == [] and len(projects) == MAX_ROWS
    projects, errors = validate_rows([dict(row, no=i) for i in range(1, MAX_ROWS + 2)])
    assert projects == [] and errors == [{"row": 0, "column": "projects", "message":
                                          f"รายการโครงการมีได้ไม่เกิน {thai_digits(f'{MAX_ROWS:,}')} รายการ"
                                          f" (ขณะนี้ {thai_digits(f'{MAX_ROWS + 1:,}')} รายการ)"}]


def test_parse_xlsx_reads_the_first_sheet_whatever_the_others_declare():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(COLUMNS))
    ws.append([1, 1, "a", 0, 0, 0, "waiting", "no", None, None])
    other = wb.create_sheet("อื่น ๆ")
    other["A1"] = "x"
    other.cell(row=50_000, column=2000, value="far")  # declared A1:BXX50000, never read
    out = io.BytesIO()
    wb.save(out)
    projects, errors = parse_xlsx(out.getvalue())
    assert errors == [] and [p.no for p in projects] == [1]


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_parse_xlsx_refuses_a_dtd_with_entities(part):
    """An upload is untrusted XML: a DTD (entity expansion, external entities) is refused, never parsed."""
    import zipfile

    data = export_xlsx(load_demo_projects()[:2])
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    laughs = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>')
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                content = laughs + (content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content)
            target.writestr(info, content)
    projects, errors = parse_xlsx(out.getvalue())
    assert projects == [] and errors[0]["message"] == "ไฟล์: ไม่ใช่ไฟล์ Excel (.xlsx) ที่ถูกต้อง"


# --------------------------------------------------------------------------- the template


def test_template_files_have_thai_headers_and_import_as_nothing():
    from openpyxl import load_workbook

    csv_text = template_csv().decode("utf-8-sig")
    assert csv_text.strip() == ",".join(EXPORT_HEADER)
    assert parse_csv(template_csv()) == ([], [])
    book = load_workbook(io.BytesIO(template_xlsx()))
    first, notes = book.worksheets
    assert [c.value for c in first[1]] == list(EXPORT_HEADER)
    assert parse_xlsx(template_xlsx()) == ([], [])  # the instructions sheet is never imported
    # the status column offers exactly the Thai status words in a drop-down list
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in first.data_validations.dataValidation}
    assert lists["G2"] == '"รอรายงาน,อยู่ระหว่างดำเนินการ,ดำเนินการแล้วเสร็จ,ไม่สามารถดำเนินการได้"'
    assert lists["H2"] == '"ใช่,ไม่ใช่"'
    explained = {row[0].value: row[1].value for row in notes.iter_rows(min_row=2) if row[0].value}
    assert "ไม่สามารถดำเนินการได้" in explained["สถานะ"]
    assert [name for name, _ in template_rules()] == list(EXPORT_HEADER)


def test_a_filled_in_template_imports_with_thai_words_and_spreadsheet_row_numbers():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template_xlsx()))
    sheet = book.worksheets[0]
    sheet.append([1, 1, "โครงการอบรมคุณธรรม", 1000, 1000, 500, "ดำเนินการแล้วเสร็จ", "ใช่", None, None])
    sheet.append([2, 2, "มาตรการเปิดเผยข้อมูล", None, None, None, "อยู่ระหว่าง ดำเนินการ", "ไม่ใช่", None, None])
    out = io.BytesIO()
    book.save(out)
    projects, errors = parse_xlsx(out.getvalue())
    assert errors == []
    assert [(p.status, p.in_ordinance) for p in projects] == [("completed", True), ("in_progress", False)]
    sheet.append([3, 5, "x", 0, 0, 0, "เสร็จ", "ใช่", None, None])
    out = io.BytesIO()
    book.save(out)
    projects, errors = parse_xlsx(out.getvalue())
    # the formatted blank rows between do not shift the numbers: the third project is row 4
    assert projects == [] and {(e["row"], e["column"]) for e in errors} == {(4, "dimension"), (4, "status")}
    assert all(e["message"].startswith("แถวที่ ๔ คอลัมน์ ") for e in errors)


def test_csv_rows_count_as_the_spreadsheet_counts_them():
    """Blank lines before the header and a cell holding a line break: numbers still match Excel's rows."""
    data = ("\n" + ",".join(COLUMNS[:-1]) + "\n"
            '1,1,"ชื่อ\nสองบรรทัด",0,0,0,รอรายงาน,ไม่ใช่,\n'
            "2,1,ข,0,0,0,ผิด,ไม่ใช่,\n").encode()
    projects, errors = parse_csv(data)
    assert projects == [] and [(e["row"], e["column"]) for e in errors] == [(4, "status")]
    assert errors[0]["message"].startswith("แถวที่ ๔ คอลัมน์ สถานะ: ต้องเป็น รอรายงาน")
