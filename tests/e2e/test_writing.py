"""Writing helpers in the browser: a memo from a template with an untitled paragraph, returned with
a reason that the author sees above the form, edited, resubmitted, and the head sees the changes."""

from __future__ import annotations

import re

from .conftest import PASSWORD

OFFICE = "สำนักปลัด องค์การบริหารส่วนตำบลขอนหาด"
MAYOR = "นายกองค์การบริหารส่วนตำบลขอนหาด"
PARAGRAPH = ("ด้วยข้าพเจ้า นางสาวอนุศาสน์ อภัยรัตน์ ตำแหน่งนิติกร ได้รับหนังสือเชิญจากสำนักงานส่งเสริมการปกครองท้องถิ่น"
             "จังหวัดนครศรีธรรมราช ให้เข้าร่วมการฝึกอบรมกฎหมายปกครอง ระหว่างวันที่ ๑๐ - ๑๑ มิถุนายน ๒๕๖๗ "
             "ณ ศาลากลางจังหวัดนครศรีธรรมราช จึงขออนุญาตเดินทางไปราชการในวันดังกล่าว")
REASON = "กรุณาระบุการเดินทางด้วยรถยนต์ส่วนตัวหรือรถยนต์ส่วนกลาง"


def _flash(page, text: str) -> None:
    assert page.locator(".alert-success").filter(has_text=text).count() == 1, page.locator(".alert").all_inner_texts()


def test_template_untitled_paragraph_return_reason_and_changes(as_user):
    admin = as_user("admin")
    admin.goto("/admin/memo-templates")
    assert admin.page.get_by_role("link", name="ขออนุญาตไปราชการ").count() == 1
    admin.shot("templates")
    admin.page.get_by_role("link", name="ขออนุญาตไปราชการ").click()
    assert admin.page.get_by_label("ชื่อหัวข้อ").first.input_value() == ""
    admin.shot("template-form")

    legal = as_user("legal")
    page = legal.page
    legal.goto("/memos/new")
    assert page.get_by_label("ส่วนราชการ", exact=True).input_value() == OFFICE
    assert page.get_by_label("เรียน", exact=True).input_value() == MAYOR
    page.get_by_label("เริ่มจากแม่แบบ").select_option(label="ขออนุญาตไปราชการ")
    page.get_by_role("button", name="ใช้แม่แบบ").click()
    page.wait_for_url(re.compile(r"/memos/new\?template=\d+$"))
    assert page.get_by_label("เรื่อง", exact=True).input_value() == "ขออนุญาตเดินทางไปราชการ"
    assert page.get_by_label("ข้อความลงท้าย").input_value() == "จึงเรียนมาเพื่อโปรดพิจารณาอนุญาต"
    assert page.get_by_label("ชื่อหัวข้อ").first.input_value() == ""  # the template's one untitled paragraph
    legal.shot("from-template")
    page.get_by_label("เนื้อความ").first.fill(PARAGRAPH)
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_url(re.compile(r"/memos/\d+$"))
    _flash(page, "บันทึกร่างหนังสือแล้ว")
    memo_path = page.url.removeprefix(legal.base)
    paper = page.locator(".paper")
    assert paper.locator(".paper-section-untitled").count() == 1
    assert "ด้วยข้าพเจ้า" in paper.inner_text() and "๑." not in paper.locator(".paper-section").inner_text()
    legal.shot("draft")
    page.get_by_role("button", name="เสนอหนังสือ").click()
    _flash(page, "เสนอหนังสือแล้ว")

    head = as_user("head")
    head.goto(memo_path)
    assert head.page.locator("#changes").count() == 0  # the first round: nothing to compare yet
    form = head.page.locator("form.action-form:has(input[name=action][value=return])")
    form.locator("textarea[name=comment]").fill(REASON)
    form.get_by_role("button", name="ส่งคืนแก้ไข").click()  # the reason is checked first
    head.page.wait_for_load_state("load")
    confirm = head.page.locator("form.return-confirm")
    confirm.locator("input[name=password]").fill(PASSWORD)
    confirm.get_by_role("button", name="ยืนยันการส่งคืน").click()
    head.page.wait_for_load_state("load")
    _flash(head.page, "ส่งคืนแก้ไขแล้ว")

    legal.goto(memo_path)
    page.get_by_role("link", name="แก้ไข", exact=True).first.click()
    notice = page.locator("#return-notice")
    assert REASON in notice.inner_text() and "นางสาวเย็นตา อภัยรัตน์" in notice.inner_text()
    # The notice stands above the form.
    assert notice.bounding_box()["y"] < page.locator("form.memo-form").bounding_box()["y"]
    legal.shot("returned-edit")
    page.get_by_label("เนื้อความ").first.fill(PARAGRAPH + " โดยรถยนต์ส่วนกลาง")
    page.get_by_label("เรื่อง", exact=True).fill("ขออนุญาตเดินทางไปราชการและเบิกค่าใช้จ่าย")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    _flash(page, "บันทึกการแก้ไขแล้ว")
    page.get_by_role("button", name="เสนอหนังสือ").click()
    _flash(page, "เสนอหนังสือแล้ว")

    head.goto(memo_path)
    changes = head.page.locator("#changes")
    assert "สิ่งที่แก้ไขจากรอบที่ ๑" in changes.inner_text()
    inserted = changes.locator(".diff-list ins").all_inner_texts()
    assert any("โดยรถยนต์ส่วนกลาง" in t for t in inserted), inserted
    assert any("และเบิกค่าใช้จ่าย" in t for t in inserted), inserted
    # Said in words too, for screen readers (not by colour alone).
    assert "[เพิ่ม:" in changes.locator(".diff-list ins").first.text_content()
    head.shot("changes")
