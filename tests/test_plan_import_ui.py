"""The plan report page as a Thai official meets it: a failed import leads with its errors,
a template to start from, Thai status words both ways, and a table the keyboard can scroll."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from approval.extensions import db
from approval.models import Memo
from tests.conftest import login
from tests.markup import duplicate_ids, elements, empty_options

HEADER = {"imp-fiscal_year": "2567", "imp-round": "6", "imp-minimum_projects": "15"}
BAD_CSV = (
    "ลำดับ,มิติ,รายการโครงการ,งบประมาณ,งบประมาณตามข้อบัญญัติ,เบิกจ่าย,สถานะ,บรรจุในข้อบัญญัติ,หมายเหตุ\n"
    "1,1,โครงการอบรมคุณธรรม,10000.00,10000.00,5000.00,ดำเนินการแล้วเสร็จ,ใช่,\n"
    "2,9,มาตรการเปิดเผยข้อมูล,abc,0,0,เสร็จแล้ว,ไม่ใช่,\n"
).encode()


@pytest.fixture()
def legal(seeded):
    client = seeded.test_client()
    assert login(client, "legal").status_code == 302
    return client


@pytest.fixture()
def memo_id(users):
    return db.session.scalar(sa.select(Memo.id).where(Memo.author_id == users["legal"].id))


def upload(client, memo_id, content: bytes, filename: str):
    data = {**HEADER, "imp-file": (io.BytesIO(content), filename)}
    return client.post(f"/memos/{memo_id}/plan-report/import", data=data, content_type="multipart/form-data")


def test_the_reference_report_has_warnings_to_go_stale(legal, memo_id):
    html = legal.get(f"/memos/{memo_id}/plan-report").get_data(as_text=True)
    assert "plan-warning" in html  # so the next test shows they are left out, not absent


def test_a_failed_import_shows_its_errors_first_and_no_stale_warnings(legal, memo_id):
    response = upload(legal, memo_id, BAD_CSV, "plan.csv")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    main = html[html.index("<main"):]
    errors_at = main.index('id="import-errors"')
    # the error list comes before the stored report and before the editor
    assert errors_at < main.index("สรุปตามมิติ") < main.index('id="edit"')
    assert main.index("นำเข้าไม่สำเร็จ") < errors_at  # right under the failure message
    assert "plan-warning" not in html  # the old report's warnings are not shown over the errors
    box = html[html.index('id="import-errors"'):html.index("</ul>", html.index('id="import-errors"'))]
    assert "แถวที่ ๓ คอลัมน์ มิติ" in box and "แถวที่ ๓ คอลัมน์ งบประมาณ" in box
    assert "แถวที่ ๓ คอลัมน์ สถานะ: ต้องเป็น รอรายงาน อยู่ระหว่างดำเนินการ ดำเนินการแล้วเสร็จ" in box
    assert "รายงานที่บันทึกไว้ก่อนหน้า (ยังไม่เปลี่ยนแปลง)" in html
    assert duplicate_ids(html) == [] and empty_options(html) == 0


def test_a_good_thai_file_is_stored_and_exported_in_thai(legal, memo_id):
    good = BAD_CSV.replace(b"2,9,", b"2,2,").replace(b",abc,", b",0,").replace("เสร็จแล้ว".encode(), "รอรายงาน".encode())
    response = upload(legal, memo_id, good, "plan.csv")
    assert response.status_code == 302
    page = legal.get(f"/memos/{memo_id}/plan-report").get_data(as_text=True)
    assert 'id="import-errors"' not in page
    exported = legal.get(f"/memos/{memo_id}/plan-report.csv")
    assert exported.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    text = exported.data.decode("utf-8-sig")
    assert text.splitlines()[1] == "1,1,โครงการอบรมคุณธรรม,10000.00,10000.00,5000.00,ดำเนินการแล้วเสร็จ,ใช่,,"
    assert text.splitlines()[2] == "2,2,มาตรการเปิดเผยข้อมูล,0.00,0.00,0.00,รอรายงาน,ไม่ใช่,,"
    # the export goes straight back in
    assert upload(legal, memo_id, exported.data, "again.csv").status_code == 302


def test_the_template_files_are_offered_and_downloadable(legal, memo_id):
    html = legal.get(f"/memos/{memo_id}/plan-report").get_data(as_text=True)
    assert "/plan-report/template.xlsx" in html and "/plan-report/template.csv" in html
    assert "รอรายงาน / อยู่ระหว่างดำเนินการ / ดำเนินการแล้วเสร็จ / ไม่สามารถดำเนินการได้" in html
    csv = legal.get("/plan-report/template.csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.data.decode("utf-8-sig").startswith("ลำดับ,มิติ,รายการโครงการ,งบประมาณ")
    assert 'filename="plan-report-template.csv"' in csv.headers["Content-Disposition"]
    xlsx = legal.get("/plan-report/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["รายการโครงการ", "คำอธิบาย"]


def test_the_template_needs_a_signed_in_user(seeded):
    response = seeded.test_client().get("/plan-report/template.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wide_tables_scroll_in_a_box_the_keyboard_reaches(legal, memo_id):
    html = legal.get(f"/memos/{memo_id}/plan-report").get_data(as_text=True)
    boxes = elements(html, "div", "table-responsive")
    assert len(boxes) >= 4  # summary, status, projects, the editor
    for box in boxes:
        assert box.get("tabindex") == "0" and box.get("role") == "region" and box.get("aria-label"), box
    assert [b for b in boxes if "plan-edit-scroll" in (b.get("class") or "")]
    assert "css/plans.css" in html


def test_the_editor_has_no_empty_options_and_no_duplicate_ids(legal, memo_id):
    html = legal.get(f"/memos/{memo_id}/plan-report").get_data(as_text=True)
    assert empty_options(html) == 0
    assert '<option value="">เลือก</option>' in html
    assert duplicate_ids(html) == []
