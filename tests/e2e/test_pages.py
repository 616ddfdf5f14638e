"""Everyday pages in the browser: sign-in, forms, plan import, search, tenancy, the inbox badge."""

from __future__ import annotations

import re

from .conftest import PASSWORD

GOOD_CSV = (
    "no,dimension,name,budget,ordinance_budget,disbursed,status,in_ordinance,note\n"
    "1,1,โครงการส่งเสริมคุณธรรมและจริยธรรมของบุคลากร,10000.00,10000.00,2500.00,completed,yes,\n"
    "2,2,โครงการเปิดเผยข้อมูลข่าวสารต่อสาธารณะ,0.00,0.00,0.00,in_progress,no,\n"
    "3,3,โครงการรับเรื่องร้องเรียนการทุจริต,5000.00,5000.00,0.00,waiting,yes,\n"
)
BAD_CSV = (
    "no,dimension,name,budget,ordinance_budget,disbursed,status,in_ordinance,note\n"
    "1,9,โครงการมิติที่ไม่มีอยู่จริง,abc,0.00,0.00,completed,no,\n"
    "2,1,,100.00,0.00,0.00,finished,maybe,\n"
)


def _to_int(text: str) -> int:
    return int(text.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")))


def _new_memo(s, subject: str) -> str:
    """Write a memo through the form; the path of its page."""
    page = s.page
    s.goto("/memos/new")
    page.get_by_label("เรื่อง", exact=True).fill(subject)
    page.get_by_label("เรียน", exact=True).fill("นายกองค์การบริหารส่วนตำบลขอนหาด")
    page.get_by_label("ชื่อหัวข้อ").first.fill("เรื่องเดิม")
    page.get_by_label("เนื้อความ").first.fill("ทดสอบการเขียนบันทึกข้อความผ่านเบราว์เซอร์")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_url(re.compile(r"/memos/\d+$"))
    assert page.locator(".alert-success").filter(has_text="บันทึกร่างหนังสือแล้ว").count() == 1
    return page.url.removeprefix(s.base)


def test_login_logout_and_expired_session(as_user):
    anon = as_user(None)
    anon.goto("/inbox")
    anon.page.wait_for_url(re.compile(r"/login\?next="))
    assert "กรุณาเข้าสู่ระบบก่อนใช้งาน" in anon.page.locator(".alert").inner_text()
    anon.shot("login-required")
    # focus starts in the user name; Tab goes to the password, then the button
    assert anon.page.evaluate("document.activeElement.id") == "username"
    anon.page.keyboard.press("Tab")
    assert anon.page.evaluate("document.activeElement.id") == "password"
    anon.page.keyboard.press("Tab")
    assert anon.page.evaluate("document.activeElement.textContent.trim()") == "เข้าสู่ระบบ"

    anon.page.get_by_role("button", name="เข้าสู่ระบบ").click()
    assert anon.page.locator(".invalid-feedback").filter(has_text="กรุณากรอกข้อมูล").count() == 2
    anon.shot("login-empty")
    anon.page.get_by_label("ชื่อผู้ใช้").fill("legal")
    anon.page.get_by_label("รหัสผ่าน").fill("not-the-password")
    anon.page.get_by_role("button", name="เข้าสู่ระบบ").click()
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in anon.page.locator(".alert-danger").inner_text()
    anon.shot("login-bad-password")
    anon.page.get_by_label("รหัสผ่าน").fill(PASSWORD)
    anon.page.get_by_role("button", name="เข้าสู่ระบบ").click()
    anon.page.wait_for_url(re.compile(r"/inbox$"))  # back to the page asked for
    assert "ยินดีต้อนรับ" in anon.page.locator(".alert-success").inner_text()
    anon.shot("welcome")
    anon.page.get_by_role("button", name="ออกจากระบบ").click()
    anon.page.wait_for_url(re.compile(r"/login$"))
    assert "ออกจากระบบแล้ว" in anon.page.locator(".alert").inner_text()
    anon.shot("logged-out")
    anon.goto("/memos")
    anon.page.wait_for_url(re.compile(r"/login\?next="))

    legal = as_user("legal")
    legal.goto("/memos")
    assert legal.page.get_by_role("heading", name="หนังสือของฉัน").is_visible()
    legal.context.clear_cookies()  # the session has expired
    legal.goto("/memos/new")
    legal.page.wait_for_url(re.compile(r"/login\?next=%2Fmemos%2Fnew"))
    legal.shot("expired")


def test_memo_form_validation(as_user):
    legal = as_user("legal")
    page = legal.page
    legal.goto("/memos/new")
    legal.shot("new")
    assert page.locator("#date-be").inner_text().strip()  # the Buddhist Era date beside the input
    page.get_by_label("วันที่").fill("2/5/2567")  # วัน/เดือน/ปี พ.ศ.
    assert page.locator("#date-be").inner_text() == "๒ พฤษภาคม ๒๕๖๗"
    page.get_by_label("วันที่").fill("31/2/2567")  # no such day: no preview, the server says why
    assert page.locator("#date-be").inner_text() == ""
    page.get_by_role("button", name="+ เพิ่มหัวข้อ").click()
    assert page.locator("[data-section]").count() == 2
    assert page.locator("[data-section-number]").nth(1).inner_text() == "๒"
    legal.watch.expect(422, "/memos/new")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_load_state("load")
    assert "ข้อมูลไม่ถูกต้อง" in page.locator(".alert-danger").inner_text()
    messages = page.locator(".invalid-feedback").all_inner_texts()
    assert len(messages) >= 2, messages
    assert page.locator("#subject.is-invalid").count() == 1
    assert "ไม่มีวันที่ 31 ในเดือนกุมภาพันธ์" in page.locator("#date-error").inner_text()
    assert page.get_by_label("วันที่").input_value() == "31/2/2567"  # kept as typed
    legal.shot("invalid")


def test_plan_import_with_errors_then_good(as_user, tmp_path):
    legal = as_user("legal")
    page = legal.page
    memo_path = _new_memo(legal, "รายงานผลการดำเนินการตามแผนป้องกันการทุจริต (ทดสอบนำเข้า)")
    page.get_by_role("link", name="รายงานแนบ").click()
    page.wait_for_url(re.compile(r"/plan-report$"))
    legal.shot("empty-report")
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    good.write_text(GOOD_CSV, encoding="utf-8")

    form = page.locator("#import")
    form.get_by_label("ปีงบประมาณ (พ.ศ.)").fill("2567")
    form.get_by_label("รอบ ๖ เดือน").check()
    form.get_by_label("จำนวนโครงการขั้นต่ำ").fill("3")
    form.locator("input[type=file]").set_input_files(str(bad))
    legal.watch.expect(422, "/plan-report/import")
    form.get_by_role("button", name="นำเข้าและแทนที่รายการเดิม").click()
    page.wait_for_load_state("load")
    assert "นำเข้าไม่สำเร็จ" in page.locator(".alert-danger").first.inner_text()
    errors = page.locator(".import-errors li").all_inner_texts()
    assert len(errors) >= 3, errors
    assert "หนังสือนี้ยังไม่มีรายงานแนบ" in page.locator("main").inner_text()
    legal.shot("import-errors")

    form = page.locator("#import")
    form.get_by_label("ปีงบประมาณ (พ.ศ.)").fill("2567")
    form.get_by_label("รอบ ๖ เดือน").check()
    form.get_by_label("จำนวนโครงการขั้นต่ำ").fill("3")
    form.locator("input[type=file]").set_input_files(str(good))
    form.get_by_role("button", name="นำเข้าและแทนที่รายการเดิม").click()
    page.wait_for_url(re.compile(r"/plan-report$"))
    assert "นำเข้ารายการโครงการ ๓ รายการแล้ว" in page.locator(".alert-success").inner_text()
    assert "รายการโครงการ (๓ รายการ)" in page.locator("main").inner_text()
    legal.shot("imported")
    legal.goto(memo_path)
    assert "สรุปรายงานแนบ" in page.locator("main").inner_text()
    legal.shot("memo-with-report")


def test_search(as_user):
    legal = as_user("legal")
    subject = "ขออนุมัติจัดซื้อวัสดุสำนักงาน ทดสอบค้นหา"
    _new_memo(legal, subject)
    records = as_user("records")
    records.goto("/inbox")
    nav = records.page.locator("#mainnav")
    if nav.get_by_role("link", name="แฟ้มเอกสาร").count():
        nav.get_by_role("link", name="แฟ้มเอกสาร").click()
        records.page.wait_for_load_state("load")
        records.shot("archive")
        box = records.page.locator("main input[type=search], main input[name=q]").first
        box.fill("ทุจริต")
        box.press("Enter")
        records.page.wait_for_load_state("load")
        records.shot("archive-search")
        # the reference memo, decided by test_chain (run before this file)
        assert records.page.locator("main a").filter(has_text="ป้องกันการทุจริต").count() >= 1
        box = records.page.locator("main input[type=search], main input[name=q]").first
        box.fill("ไม่มีเรื่องนี้แน่นอน")
        box.press("Enter")
        records.page.wait_for_load_state("load")
        assert records.page.locator("main a").filter(has_text="ป้องกันการทุจริต").count() == 0
        records.shot("archive-no-result")
        for name in ("ทะเบียนหนังสือส่ง", "ตรวจสอบความถูกต้อง"):
            link = records.page.locator("main").get_by_role("link", name=re.compile(name))
            if link.count():
                link.first.click()
                records.page.wait_for_load_state("load")
                records.shot("archive-" + ("register" if "ทะเบียน" in name else "integrity"))
    # the memo list: filter by state
    legal.goto("/memos")
    legal.page.get_by_label("สถานะ").select_option(label="ร่าง")
    legal.page.get_by_role("button", name="กรอง").click()
    legal.page.wait_for_url(re.compile(r"state=draft"))
    assert legal.page.get_by_role("link", name=re.compile(subject)).count() == 1
    assert legal.page.locator(".memo-list").get_by_text("สั่งการแล้ว", exact=True).count() == 0
    legal.shot("filtered")


def test_other_organisation_sees_not_found(as_user):
    legal = as_user("legal")
    path = _new_memo(legal, "บันทึกภายในที่องค์กรอื่นต้องไม่เห็น")
    other = as_user("org2.legal")
    other.goto(path, expect_status=404)
    assert "ไม่พบหน้าที่ต้องการ" in other.page.locator("main").inner_text()
    assert "องค์กรอื่นต้องไม่เห็น" not in other.page.content()
    other.shot("not-found")
    other.goto(path + "/pdf", expect_status=404)
    other.goto("/memos")
    assert other.page.get_by_text("องค์กรอื่นต้องไม่เห็น").count() == 0


def test_inbox_badge_and_cancel_confirmation(as_user):
    head = as_user("head")
    head.goto("/inbox")
    before = head.badge()
    legal = as_user("legal")
    _new_memo(legal, "ขอความเห็นชอบแผนการฝึกอบรมบุคลากร")
    legal.page.get_by_role("button", name="เสนอหนังสือ").click()
    legal.page.wait_for_load_state("load")
    head.page.reload()
    assert head.badge() == before + 1
    assert "text-bg-danger" in head.page.locator("#inbox-badge").get_attribute("class")
    assert head.page.get_by_role("link", name=re.compile("แผนการฝึกอบรมบุคลากร")).count() == 1
    head.shot("badge-up")

    _new_memo(legal, "ร่างที่จะยกเลิก")
    legal.page.get_by_role("button", name="ยกเลิกหนังสือ").click()
    legal.page.wait_for_load_state("load")
    assert any("ยืนยันการยกเลิก" in d for d in legal.watch.dialogs), legal.watch.dialogs
    assert "ยกเลิกหนังสือแล้ว" in legal.page.locator(".alert-success").inner_text()
    legal.shot("cancelled")
    head.goto("/inbox")
    head.page.get_by_role("link", name=re.compile("แผนการฝึกอบรมบุคลากร")).click()
    head.page.locator("#comment-forward").fill("เห็นควรอนุมัติ")
    head.page.locator("#password-forward").fill(PASSWORD)
    head.page.get_by_role("button", name="ลงนามความเห็นและส่งต่อ").click()
    head.page.wait_for_load_state("load")
    assert head.badge() == before
    head.shot("badge-down")


def test_menus_by_role(as_user):
    legal = as_user("legal")
    legal.goto("/inbox")
    nav = legal.page.locator("#mainnav")
    assert nav.get_by_role("link", name="ผู้ดูแลระบบ").count() == 0
    assert nav.get_by_role("link", name="แฟ้มเอกสาร").count() == 0
    admin = as_user("admin")
    admin.goto("/inbox")
    admin.shot("inbox")
    link = admin.page.locator("#mainnav").get_by_role("link", name="ผู้ดูแลระบบ")
    if not link.count():
        return  # the admin pages are not there yet
    link.click()
    admin.page.wait_for_load_state("load")
    admin.shot("admin")
    tabs = admin.page.locator("main .nav a, main .nav-tabs a, main .nav-pills a, main .list-group a")
    hrefs = []
    for i in range(min(tabs.count(), 6)):
        href = tabs.nth(i).get_attribute("href")
        if href and href.startswith("/admin") and href not in hrefs:
            hrefs.append(href)
    for href in hrefs:
        admin.goto(href)
        admin.shot("admin-" + href.strip("/").replace("/", "-"))
