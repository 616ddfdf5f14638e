"""The memo as a new official meets it in the browser: the front door, the author's card,
the signing form by keyboard alone with every error at once, the return's confirmation,
the Buddhist Era date, Thai file buttons, and the phone (390x844): badges, the inbox count
on the bar, tables in their own scrolling box, touch targets of at least 44x44 px."""

from __future__ import annotations

import re

from .conftest import ARTIFACTS, PASSWORD, PHONE
from .test_chain import _sign
from .test_pages import _new_memo
from .test_site_a11y import _memo_in_state, _small_targets


def _tab_to(page, element_id: str, limit: int = 80) -> int:
    """Press Tab until the element with this id has the focus; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return presses
    raise AssertionError(f"#{element_id} not reached with {limit} presses of Tab")


def test_the_front_door_is_a_welcome(as_user):
    anon = as_user(None)
    anon.goto("/")
    anon.page.wait_for_url(re.compile(r"/login$"))
    assert anon.page.locator(".alert-warning").count() == 0
    assert "ยินดีต้อนรับ" in anon.page.locator("#welcome").inner_text()
    anon.shot("front-door")


def test_the_authors_card_before_and_after_submitting_and_when_returned(as_user):
    legal = as_user("legal")
    path = _new_memo(legal, "ขออนุมัติจัดอบรมการใช้ระบบ (ทดสอบการ์ดผู้จัดทำ)")
    page = legal.page
    card = page.locator("#actions")
    assert card.get_by_role("heading", name="เสนอหนังสือ").count() == 1
    signers = page.locator("#signers li").all_inner_texts()
    assert len(signers) == 3, signers
    assert "หัวหน้าสำนักปลัด" in signers[0] or "ปลัด" in signers[0], signers
    legal.shot("card-draft")

    page.get_by_role("button", name="เสนอหนังสือ").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="ถึงลำดับของท่าน").count() == 0
    where = page.locator("#whereabouts")
    assert "หนังสืออยู่ที่" in where.inner_text() and "รอพิจารณาตั้งแต่" in where.inner_text()
    withdraw = where.get_by_role("button", name="ดึงหนังสือกลับมาแก้ไข")
    assert "btn-sm" in withdraw.get_attribute("class") and "btn-primary" not in withdraw.get_attribute("class")
    legal.shot("card-submitted")

    head = as_user("head")
    head.goto(path)
    _sign(head, "return", "กรุณาระบุวันอบรม", "ส่งคืนแก้ไข")
    legal.goto(path)
    chain = page.locator(".step-item").all_inner_texts()
    assert "ส่งคืนแก้ไข" in chain[0]
    assert all("ไม่ถึงลำดับ" in row and "รอลำดับ" not in row for row in chain[1:]), chain
    legal.shot("card-returned")


def test_signing_by_keyboard_with_every_error_at_once(as_user):
    legal = as_user("legal")
    path = _new_memo(legal, "ขอความเห็นชอบแผนงาน (ทดสอบแป้นพิมพ์)")
    legal.page.get_by_role("button", name="เสนอหนังสือ").click()
    legal.page.wait_for_load_state("load")

    head = as_user("head")
    page = head.page
    head.goto(path)
    page.locator("body").focus()
    _tab_to(page, "comment-forward")  # leave the opinion empty
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password-forward"
    page.keyboard.type("not-the-password")
    head.watch.expect(422, "/action")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the form from the password field
    page.wait_for_load_state("load")
    form = page.locator("form.action-form:has(input[name=action][value=forward])")
    assert "กรุณากรอกความเห็น" in form.locator("#comment-forward-error").inner_text()
    assert "รหัสผ่าน" in form.locator("#password-forward-error").inner_text()
    assert "๒ รายการ" in form.locator(".alert-danger").inner_text()
    # the first field in error has the focus: type the opinion at once
    assert page.evaluate("document.activeElement.id") == "comment-forward"
    head.shot("signing-errors")
    page.keyboard.type("เห็นควรเสนอ")
    page.keyboard.press("Tab")
    page.keyboard.type("wrong-again")
    head.watch.expect(403, "/action")
    with page.expect_navigation():  # wait for the answer, not for the page already loaded
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert page.locator("#comment-forward").input_value() == "เห็นควรเสนอ"  # kept
    assert page.locator("#password-forward").input_value() == ""  # never sent back
    assert page.evaluate("document.activeElement.id") == "password-forward"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "ลงนามความเห็นและส่งต่อ"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/memos/\d+$"))
    assert "ลงนามความเห็นและส่งต่อแล้ว" in page.locator(".alert-success").inner_text()


def test_the_return_is_confirmed_only_after_its_reason_passes(as_user):
    legal = as_user("legal")
    path = _new_memo(legal, "ขออนุมัติเบิกค่าใช้จ่าย (ทดสอบส่งคืน)")
    legal.page.get_by_role("button", name="เสนอหนังสือ").click()
    legal.page.wait_for_load_state("load")
    head = as_user("head")
    page = head.page
    head.goto(path)
    form = page.locator("form.action-form:has(input[name=action][value=return])")
    head.watch.expect(422, "/action")
    form.get_by_role("button", name="ส่งคืนแก้ไข").click()
    page.wait_for_load_state("load")
    assert head.watch.dialogs == []  # nothing asked before the reason is there
    assert "กรุณากรอกเหตุผลที่ส่งคืน" in page.locator("#comment-return-error").inner_text()
    assert page.locator("form.return-confirm").count() == 0
    page.locator("#comment-return").fill("ยอดเงินไม่ตรงกับใบเสร็จ")
    page.locator("form.action-form:has(input[name=action][value=return])").get_by_role(
        "button", name="ส่งคืนแก้ไข").click()
    page.wait_for_load_state("load")
    confirm = page.locator("form.return-confirm")
    assert "ยอดเงินไม่ตรงกับใบเสร็จ" in confirm.inner_text()
    head.shot("return-confirm")
    confirm.get_by_role("button", name="แก้ไขเหตุผล").click()
    page.wait_for_load_state("load")
    assert page.locator("#comment-return").input_value() == "ยอดเงินไม่ตรงกับใบเสร็จ"
    _sign(head, "return", "ยอดเงินไม่ตรงกับใบเสร็จ ฉบับที่ ๒", "ส่งคืนแก้ไข")
    assert "ส่งคืนแก้ไขแล้ว" in page.locator(".alert-success").inner_text()
    assert head.watch.dialogs == []


def test_thai_dates_and_file_buttons(as_user, tmp_path):
    legal = as_user("legal")
    page = legal.page
    path = _new_memo(legal, "ขออนุมัติจัดซื้อ (ทดสอบวันที่และไฟล์)")
    legal.goto(path + "/edit")
    date = page.get_by_label("วันที่")
    assert re.fullmatch(r"\d{1,2}/\d{1,2}/25\d\d", date.input_value()), date.input_value()
    assert "พ.ศ." in page.locator("#date-help").inner_text()
    date.fill("๑๕/๘/๒๕๖๗")
    assert page.locator("#date-be").inner_text() == "๑๕ สิงหาคม ๒๕๖๗"
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_url(re.compile(r"/memos/\d+$"))
    assert "๑๕ สิงหาคม ๒๕๖๗" in page.locator(".paper").inner_text()

    legal.goto(path + "/edit")
    picker = page.locator("#attachments .file-picker")
    assert picker.locator(".file-picker-button").inner_text().strip() == "เลือกไฟล์…"
    assert picker.locator(".file-picker-name").inner_text() == "ยังไม่ได้เลือกไฟล์"
    sample = tmp_path / "ใบเสนอราคา.txt"
    sample.write_text("ราคา", encoding="utf-8")
    page.get_by_label("เลือกไฟล์ที่จะแนบ").set_input_files(str(sample))
    assert picker.locator(".file-picker-name").inner_text() == "ใบเสนอราคา.txt"
    legal.shot("file-picker")


def test_the_phone(as_user):
    legal = as_user("legal")
    _new_memo(legal, "บันทึกที่มีชื่อเรื่องยาวมากเพื่อดูว่าป้ายสถานะไม่ยืดเป็นแท่งสูงบนโทรศัพท์มือถือ (ทดสอบ)")
    legal.page.get_by_role("button", name="เสนอหนังสือ").click()
    legal.page.wait_for_load_state("load")

    head = as_user("head")
    page = head.page
    page.set_viewport_size(PHONE)
    head.goto("/inbox")
    bar = page.locator("#inbox-badge-bar")
    assert bar.is_visible() and not page.locator("#mainnav").is_visible()
    count = int(bar.inner_text().translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")))
    assert count >= 1
    heights = page.locator(".memo-list .badge").evaluate_all("els => els.map(e => e.offsetHeight)")
    assert heights and max(heights) < 40, heights
    assert _small_targets(page, ".app-navbar a, .app-navbar button, .memo-list a, .page-link") == []
    page.screenshot(path=str(ARTIFACTS / "memo_ux-phone-inbox.png"), full_page=True)
    page.get_by_role("button", name="เปิดเมนู").click()
    page.locator("#mainnav").wait_for(state="visible")
    page.wait_for_timeout(400)  # the menu's opening transition
    assert _small_targets(page, "#mainnav a, #mainnav button") == []

    # the signing form and the order's radio buttons
    page.goto(head.base + "/inbox")
    page.locator(".memo-list a").first.click()
    page.wait_for_load_state("load")
    assert _small_targets(page, "main button, main input[type=radio], main input[type=checkbox], main .btn") == []
    page.screenshot(path=str(ARTIFACTS / "memo_ux-phone-memo.png"), full_page=True)

    at_mayor = _memo_in_state(as_user, "ขออนุมัติซ่อมถนน (ทดสอบปุ่มบนโทรศัพท์)", to="at-mayor")
    mayor = as_user("mayor")
    mayor.page.set_viewport_size(PHONE)
    mayor.goto(at_mayor)
    assert mayor.page.locator("input[type=radio][name=decision]").count() == 4
    assert _small_targets(mayor.page, "input[type=radio], main .btn") == []

    # my memos: the state badge beside a subject of three lines stays one line high
    legal.page.set_viewport_size(PHONE)
    legal.goto("/memos")
    heights = legal.page.locator(".memo-list .state-badge").evaluate_all("els => els.map(e => e.offsetHeight)")
    assert heights and max(heights) < 40, heights
    legal.page.screenshot(path=str(ARTIFACTS / "memo_ux-phone-my-memos.png"), full_page=True)

    # the memo editor: the section buttons ▲ ▼ ลบ
    legal.goto("/memos/new")
    legal.page.get_by_role("button", name="+ เพิ่มหัวข้อ").click()
    assert _small_targets(legal.page, "[data-section] button, main .btn") == []

    # a wide table scrolls in its own box, reachable by the keyboard and named
    admin = as_user("admin")
    admin.page.set_viewport_size(PHONE)
    admin.goto("/admin/people")
    box = admin.page.locator(".table-responsive").first
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    assert box.get_attribute("aria-label")
    assert admin.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    scroll = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    if scroll[0] > scroll[1]:  # wider than the phone: the arrow keys move it once it has the focus
        box.focus()
        admin.page.keyboard.press("ArrowRight")
        admin.page.wait_for_timeout(200)
        assert box.evaluate("b => b.scrollLeft") > 0
