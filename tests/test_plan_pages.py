"""The plan report page: computed tables, the editable table, CSV/XLSX import and export."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from approval.extensions import db
from approval.models import Memo, PlanProject
from tests.conftest import login

GOOD_CSV = (
    "no,dimension,name,budget,ordinance_budget,disbursed,status,in_ordinance,note\n"
    "1,1,โครงการอบรมคุณธรรม,10000.00,10000.00,5000.00,completed,yes,\n"
    "2,2,มาตรการเปิดเผยข้อมูล,0,0,0,in_progress,no,\n"
).encode()
BAD_CSV = (
    "no,dimension,name,budget,ordinance_budget,disbursed,status,in_ordinance,note\n"
    "1,1,โครงการอบรมคุณธรรม,10000.00,10000.00,5000.00,completed,yes,\n"
    "2,9,มาตรการเปิดเผยข้อมูล,abc,0,0,in_progress,no,\n"
).encode()
HEADER = {"imp-fiscal_year": "2567", "imp-round": "6", "imp-minimum_projects": "15"}


@pytest.fixture()
def legal(seeded):
    client = seeded.test_client()
    assert login(client, "legal").status_code == 302
    return client


@pytest.fixture()
def memo_id(users):
    return db.session.scalar(sa.select(Memo.id).where(Memo.author_id == users["legal"].id))


def project_names(memo_id: int) -> list[str]:
    db.session.expire_all()
    memo = db.session.get(Memo, memo_id)
    return [p.name for p in memo.plan_report.projects]


def upload(client, memo_id, content: bytes, filename: str, **header):
    data = {**HEADER, **header, "imp-file": (io.BytesIO(content), filename)}
    return client.post(f"/memos/{memo_id}/plan-report/import", data=data, content_type="multipart/form-data")


def test_page_shows_the_computed_tables(legal, memo_id):
    html = legal.get(f"/memos/{memo_id}/plan-report").get_data(as_text=True)
    assert "สรุปตามมิติ" in html and "สรุปสถานะการดำเนินการ" in html
    assert 'class="fw-bold table-total"' in html  # the total row in bold
    assert "๑๐๐.๐๐*" in html and "มาก" in html  # the reference report is capped, level มาก
    assert "นำเข้ารายการโครงการ" in html and "แก้ไขรายงาน" in html  # the author may edit a draft


def test_memo_page_shows_a_compact_summary_and_a_link(legal, memo_id):
    html = legal.get(f"/memos/{memo_id}").get_data(as_text=True)
    assert "สรุปรายงานแนบ" in html and f"/memos/{memo_id}/plan-report" in html


def test_a_reader_who_is_not_the_author_gets_no_editor(seeded, legal, memo_id):
    legal.post(f"/memos/{memo_id}/action", data={"action": "submit"})
    head = seeded.test_client()
    login(head, "head")
    html = head.get(f"/memos/{memo_id}/plan-report").get_data(as_text=True)
    assert "สรุปตามมิติ" in html and "นำเข้ารายการโครงการ" not in html
    refused = upload(head, memo_id, GOOD_CSV, "plan.csv")
    assert refused.status_code == 403 and "เฉพาะผู้จัดทำ" in refused.get_data(as_text=True)


def test_import_with_errors_lists_them_and_stores_nothing(legal, memo_id):
    before = project_names(memo_id)
    response = upload(legal, memo_id, BAD_CSV, "plan.csv")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "ไม่ได้บันทึกข้อมูลใด ๆ" in html
    assert "แถวที่ ๓ คอลัมน์ มิติ" in html and "แถวที่ ๓ คอลัมน์ งบประมาณ" in html  # the spreadsheet's row 3
    assert project_names(memo_id) == before


@pytest.mark.parametrize("content, filename", [
    (b"PK\x03\x04not really a zip", "plan.csv"),
    (GOOD_CSV, "plan.xlsx"),
    (GOOD_CSV, "plan.txt"),
])
def test_import_checks_extension_and_content(legal, memo_id, content, filename):
    before = project_names(memo_id)
    response = upload(legal, memo_id, content, filename)
    assert response.status_code == 422
    assert project_names(memo_id) == before


def test_good_csv_is_stored(legal, memo_id):
    response = upload(legal, memo_id, GOOD_CSV, "plan.csv")
    assert response.status_code == 302
    assert project_names(memo_id) == ["โครงการอบรมคุณธรรม", "มาตรการเปิดเผยข้อมูล"]
    html = legal.get(f"/memos/{memo_id}/plan-report").get_data(as_text=True)
    assert "มาตรการเปิดเผยข้อมูล" in html and "ไม่มีโครงการ" in html  # dimension 3 and 4 empty: warnings


def test_good_xlsx_round_trip(legal, memo_id):
    exported = legal.get(f"/memos/{memo_id}/plan-report.xlsx")
    before = project_names(memo_id)
    response = upload(legal, memo_id, exported.data, "plan.xlsx")
    assert response.status_code == 302
    assert project_names(memo_id) == before


def test_export_csv_and_xlsx(legal, memo_id):
    csv = legal.get(f"/memos/{memo_id}/plan-report.csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in csv.headers["Content-Disposition"]
    text = csv.data.decode("utf-8-sig")
    assert text.startswith("ลำดับ,มิติ,รายการโครงการ") and len(text.strip().splitlines()) == 50
    xlsx = legal.get(f"/memos/{memo_id}/plan-report.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(xlsx.data), read_only=True).worksheets[0]
    assert sheet.max_row == 50


def edit_data(rows: list[dict], **header) -> dict:
    data = {"fiscal_year": "2567", "round": "6", "minimum_projects": "15",
            "problems": "ขาดงบประมาณ\nบุคลากรไม่เพียงพอ", "suggestions": "ควรจัดอบรมเพิ่ม", **header}
    columns = ("no", "dimension", "name", "budget", "ordinance_budget", "disbursed", "status",
               "in_ordinance", "reason", "note")
    return {**data, **{f"p_{c}": [r.get(c, "") for r in rows] for c in columns}}


def test_edit_table_errors_beside_cells_and_nothing_stored(legal, memo_id):
    before = project_names(memo_id)
    rows = [
        {"no": "1", "dimension": "1", "name": "โครงการหนึ่ง", "budget": "100", "status": "completed", "in_ordinance": "yes"},
        {"no": "2", "dimension": "2", "name": "", "budget": "-5", "status": "waiting", "in_ordinance": "no"},
    ]
    response = legal.post(f"/memos/{memo_id}/plan-report", data=edit_data(rows))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="p-name-2"' in html and "ต้องระบุชื่อโครงการ" in html and "ต้องเป็นตัวเลขไม่ติดลบ" in html
    assert "โครงการหนึ่ง</textarea>" in html  # the typed rows come back
    assert project_names(memo_id) == before


def test_edit_table_stores_rows_in_the_order_sent(legal, memo_id):
    rows = [
        {"no": "2", "dimension": "2", "name": "โครงการสอง", "budget": "0", "status": "waiting", "in_ordinance": "no"},
        {},  # a blank row is skipped
        {"no": "1", "dimension": "1", "name": "โครงการหนึ่ง", "budget": "1,000", "status": "completed",
         "in_ordinance": "yes"},
    ]
    response = legal.post(f"/memos/{memo_id}/plan-report", data=edit_data(rows))
    assert response.status_code == 302
    assert project_names(memo_id) == ["โครงการสอง", "โครงการหนึ่ง"]
    report = db.session.get(Memo, memo_id).plan_report
    assert report.problems == ["ขาดงบประมาณ", "บุคลากรไม่เพียงพอ"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanProject)) == 2


def test_header_errors_beside_fields(legal, memo_id):
    response = legal.post(f"/memos/{memo_id}/plan-report", data=edit_data([], round="7", fiscal_year="67"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "ปีงบประมาณต้องเป็นปี พ.ศ." in html and "รอบรายงานต้องเป็น 6 หรือ 12 เดือน" in html


def test_too_large_upload_is_413_in_thai(legal, memo_id, monkeypatch):
    monkeypatch.setitem(legal.application.config, "MAX_CONTENT_LENGTH", 1024)
    response = upload(legal, memo_id, GOOD_CSV * 50, "plan.csv")
    assert response.status_code == 413
    assert "ขนาดใหญ่เกินกำหนด" in response.get_data(as_text=True)
