"""The plan report import and the archive in the browser, as a new Thai official meets them:
a bad file's errors come first (not 4,000 px down under old warnings), a template to start
from, a typo in the archive search answered with "หมายถึง ...?", the word highlighted where
it matched, the check of each PDF said in words."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

from .conftest import ARTIFACTS, DESKTOP, PASSWORD, PHONE

ROOT = Path(__file__).resolve().parents[2]
DEMO_CSV = ROOT / "approval/plan_report/plan-2567-round6-projects.csv"
BAD_CSV = (
    "ลำดับ,มิติ,รายการโครงการ,งบประมาณ,งบประมาณตามข้อบัญญัติ,เบิกจ่าย,สถานะ,บรรจุในข้อบัญญัติ,หมายเหตุ\n"
    "1,1,โครงการอบรมคุณธรรม,10000.00,10000.00,5000.00,ดำเนินการแล้วเสร็จ,ใช่,\n"
    "2,9,มาตรการเปิดเผยข้อมูล,abc,0,0,เสร็จแล้ว,ไม่ใช่,\n"
)
SUBJECT = "ขออนุมัติขุดลอกคลองสาธารณะ หมู่ที่ ๕ (ทดสอบแฟ้มเอกสาร)"


def _api(base: str, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
    request = urllib.request.Request(base + "/api/v1" + path, method=method,
                                     data=json.dumps(body or {}).encode(), headers={
                                         "Content-Type": "application/json",
                                         **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _token(base: str, username: str) -> str:
    return _api(base, "POST", "/auth/token", {"username": username, "password": PASSWORD})["token"]


def _memo(base: str, subject: str) -> dict:
    return _api(base, "POST", "/memos", {
        "department": "สำนักปลัด องค์การบริหารส่วนตำบลขอนหาด", "date": "2025-05-02", "subject": subject,
        "addressee": "นายกองค์การบริหารส่วนตำบลขอนหาด", "closing": "จึงเรียนมาเพื่อโปรดพิจารณา",
        "sections": [{"title": "เรื่องเดิม", "body": "คลองสาธารณะตื้นเขิน <b>น้ำไหลไม่สะดวก</b> ในฤดูฝน"}]},
        _token(base, "legal"))


def _decided(base: str, subject: str) -> dict:
    """A memo taken through the whole chain by the API (the chain's pages are test_chain's)."""
    memo = _memo(base, subject)
    path = f"/memos/{memo['id']}/actions"
    _api(base, "POST", path, {"action": "submit"}, _token(base, "legal"))
    _api(base, "POST", path, {"action": "forward", "comment": "เห็นควรอนุมัติ", "password": PASSWORD},
         _token(base, "head"))
    _api(base, "POST", path, {"action": "forward", "comment": "เห็นชอบ", "password": PASSWORD},
         _token(base, "deputy"))
    return _api(base, "POST", path, {"action": "order", "decision": "approve", "password": PASSWORD,
                                     "comment": "อนุมัติ ให้กองช่างดำเนินการขุดลอกคลองสาธารณะโดยเร็ว"},
                _token(base, "mayor"))


def _import(s, file: Path) -> None:
    form = s.page.locator("#import")
    form.get_by_label("ปีงบประมาณ (พ.ศ.)").fill("2567")
    form.get_by_label("รอบ ๖ เดือน").check()
    form.get_by_label("จำนวนโครงการขั้นต่ำ").fill("20")
    form.locator("input[type=file]").set_input_files(str(file))
    form.get_by_role("button", name="นำเข้าและแทนที่รายการเดิม").click()
    s.page.wait_for_load_state("load")


def test_a_bad_plan_file_shows_its_errors_first(as_user, server, tmp_path):
    legal = as_user("legal")
    page = legal.page
    memo = _memo(server, "ทดสอบนำเข้าผิด: แผนป้องกันการทุจริต")  # not the reference memo's words (test_chain finds it by them)
    legal.goto(f"/memos/{memo['id']}/plan-report")
    _import(legal, DEMO_CSV)  # a good file first: the stored report has warnings
    assert "นำเข้ารายการโครงการ ๔๙ รายการแล้ว" in page.locator(".alert-success").inner_text()
    assert page.locator(".plan-warning").count() >= 1

    # the template, with Thai headers, is one click away
    with page.expect_download() as download:
        page.get_by_role("link", name="แบบฟอร์ม Excel (.xlsx)").click()
    assert download.value.suggested_filename == "plan-report-template.xlsx"
    page.locator("summary").filter(has_text="สิ่งที่กรอกได้ในแต่ละคอลัมน์").click()
    assert "ไม่สามารถดำเนินการได้" in page.locator(".plan-template-rules").inner_text()

    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    legal.watch.expect(422, "/plan-report/import")
    _import(legal, bad)
    box = page.locator("#import-errors")
    assert "นำเข้าไม่สำเร็จ" in page.locator(".alert-danger").first.inner_text()
    errors = box.locator("li").all_inner_texts()
    assert "แถวที่ ๓ คอลัมน์ มิติ: ต้องเป็นเลข ๑ ถึง ๔" in errors, errors
    assert any(e.startswith("แถวที่ ๓ คอลัมน์ สถานะ: ต้องเป็น รอรายงาน") for e in errors), errors
    assert page.locator(".plan-warning").count() == 0  # the stale warnings are gone
    assert page.evaluate("document.activeElement.id") == "import-errors"  # focus on the errors
    shots = ARTIFACTS / "after"
    shots.mkdir(exist_ok=True)
    for label, size in (("desktop-1366x768", DESKTOP), ("phone-390x844", PHONE)):
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")
        top = box.bounding_box()["y"]
        assert top + 40 < size["height"], (label, top)  # the list starts on the first screen
        page.screenshot(path=str(shots / f"plan-import-errors-{label}.png"))
        page.screenshot(path=str(shots / f"plan-import-errors-{label}-full.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    page.set_viewport_size(DESKTOP)
    legal.shot("plan-import-errors")

    # the wide edit table scrolls in its own box, which the keyboard reaches
    legal.goto(f"/memos/{memo['id']}/plan-report")
    scroller = page.locator(".plan-edit-scroll")
    assert scroller.get_attribute("role") == "region" and scroller.get_attribute("aria-label")
    scroller.focus()
    assert page.evaluate("document.activeElement.classList.contains('plan-edit-scroll')")
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    assert page.locator("select[name=p_status] option[value='']").first.inner_text() == "เลือก"


def test_the_records_officer_finds_a_memo_despite_a_typo(as_user, server):
    memo = _decided(server, SUBJECT)
    assert memo["state"] == "decided"
    records = as_user("records")
    page = records.page
    records.goto("/archive/")
    page.get_by_role("link", name="ตรวจสอบความถูกต้องของแฟ้ม").click()
    page.wait_for_url(re.compile(r"/archive/integrity$"))
    assert page.locator(".integrity-intact").count() == 1
    records.shot("integrity")
    page.get_by_role("link", name="แฟ้มเอกสาร").last.click()
    page.wait_for_url(re.compile(r"/archive/$"))

    box = page.get_by_label(re.compile("^ค้นหา"))
    box.fill("สาธรณะ")  # one letter missing
    box.press("Enter")
    page.wait_for_load_state("load")
    assert page.locator(".empty-state").count() == 1
    suggestion = page.locator(".archive-suggestion")
    assert "หมายถึง" in suggestion.inner_text()
    records.shot("archive-typo")
    suggestion.get_by_role("link", name="สาธารณะ").click()
    page.wait_for_load_state("load")
    assert page.get_by_label(re.compile("^ค้นหา")).input_value() == "สาธารณะ"
    item = page.locator(".archive-item").filter(has=page.get_by_role("link", name=SUBJECT))
    assert item.count() == 1
    marks = item.locator(".archive-snippet mark").all_inner_texts()
    assert marks and all(m == "สาธารณะ" for m in marks)
    assert "พบในเรื่อง" in item.locator(".archive-snippet").inner_text()
    assert "ตรวจสอบแล้ว ถูกต้อง" in item.inner_text()  # checked by the integrity page just now
    sha = item.locator("details code")
    assert not sha.is_visible()  # the hash only on demand
    item.locator("details summary").click()
    assert re.fullmatch(r"[0-9a-f]{64}", sha.inner_text().strip())
    records.shot("archive-snippet")

    # the memo's own markup is shown as text, never run
    box = page.get_by_label(re.compile("^ค้นหา"))
    box.fill("<b>น้ำไหล")
    box.press("Enter")
    page.wait_for_load_state("load")
    snippet = page.locator(".archive-snippet").first
    assert "<b>น้ำไหล" in snippet.inner_text() and snippet.locator("b").count() == 0
    assert snippet.locator("mark").inner_text() == "<b>น้ำไหล"

    page.get_by_role("link", name="ทะเบียนหนังสือส่ง").click()
    page.wait_for_url(re.compile(r"/archive/register"))
    headers = page.locator("table.register-table th").all_inner_texts()
    assert ["จาก", "ถึง", "การปฏิบัติ"] == [h for h in headers if h in ("จาก", "ถึง", "การปฏิบัติ")]
    row = page.locator("table.register-table tr").filter(has_text=SUBJECT)
    assert "สั่งการ: อนุมัติ" in row.inner_text()
    records.shot("register")
