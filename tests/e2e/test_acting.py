"""Acting officials in the browser: the admin appoints the ปลัด to act for the mayor, the ปลัด
gives the order, the PDF prints the acting block; then the admin ends the appointment."""

from __future__ import annotations

import re

import pypdfium2 as pdfium

from .conftest import PASSWORD
from .test_chain import _flash, _sign

SUBJECT = "ขออนุมัติจัดซื้อวัสดุสำนักงาน ระหว่างนายกองค์การบริหารส่วนตำบลไปราชการ"
DEPUTY, MAYOR = "นางสุภาพร จุลเรือง", "นายประยงค์ หนูบุญคง"


def _new_memo(s) -> str:
    """A memo written through the API of the author's own browser context; returns its page path."""
    token = s.context.request.post(s.base + "/api/v1/auth/token",
                                   data={"username": s.user, "password": PASSWORD}).json()["token"]
    created = s.context.request.post(s.base + "/api/v1/memos", headers={"Authorization": f"Bearer {token}"}, data={
        "department": "สำนักปลัด องค์การบริหารส่วนตำบลขอนหาด", "date": "2025-01-07", "subject": SUBJECT,
        "addressee": "นายกองค์การบริหารส่วนตำบลขอนหาด",
        "sections": [{"title": "เรื่องเดิม", "body": "สำนักปลัดมีความจำเป็นต้องจัดซื้อวัสดุสำนักงาน"}],
        "closing": "จึงเรียนมาเพื่อโปรดพิจารณา"})
    assert created.status == 201, created.text()
    return f"/memos/{created.json()['id']}"


def test_the_deputy_orders_as_acting_mayor(as_user):
    admin = as_user("admin")
    admin.goto("/admin/appointments")
    admin.shot("appointments")
    page = admin.page
    page.get_by_label("รักษาราชการแทน", exact=True).check()
    holder = page.locator("#holder_id option", has_text=MAYOR).get_attribute("value")
    stand_in = page.locator("#stand_in_id option", has_text=DEPUTY).get_attribute("value")
    page.get_by_label("ผู้ดำรงตำแหน่ง (ผู้ที่ไม่อยู่)").select_option(holder)
    page.get_by_label("ผู้ปฏิบัติหน้าที่แทน").select_option(stand_in)
    page.get_by_label("คำสั่งที่ (ถ้ามี)").fill("๑๒/๒๕๖๘")
    page.get_by_role("button", name="บันทึกการแต่งตั้ง").click()
    page.wait_for_load_state("load")
    _flash(page, "บันทึกการแต่งตั้งแล้ว")
    assert "มีผลอยู่" in page.locator("table.appointments").inner_text()
    admin.shot("appointed")
    try:
        legal = as_user("legal")
        memo_path = _new_memo(legal)
        legal.goto(memo_path)
        legal.page.get_by_role("button", name="เสนอหนังสือ").click()
        _flash(legal.page, "เสนอหนังสือแล้ว")

        head = as_user("head")
        head.goto(memo_path)
        _sign(head, "forward", "เห็นควรเสนอ", "ลงนามความเห็นและส่งต่อ")
        _flash(head.page, "ลงนามความเห็นและส่งต่อแล้ว")

        deputy = as_user("deputy")
        deputy.goto(memo_path)
        _sign(deputy, "forward", "เห็นควรอนุมัติ", "ลงนามความเห็นและส่งต่อ")  # as ปลัด: the deputy's own step
        _flash(deputy.page, "ลงนามความเห็นและส่งต่อแล้ว")
        deputy.goto("/inbox")
        item = deputy.page.locator(".memo-list a", has_text=SUBJECT)
        assert f"แทน {MAYOR}" in item.inner_text()
        deputy.shot("inbox-as-acting-mayor")

        mayor = as_user("mayor")
        mayor.goto(memo_path)
        assert f"{DEPUTY} รักษาราชการแทน" in mayor.page.locator(".step-cover").inner_text()
        assert mayor.page.locator("form.action-form").count() == 0  # acting: the stand-in alone
        mayor.shot("covered")

        deputy.goto(memo_path)
        assert "รักษาราชการแทน" in deputy.page.locator("#acting-notice").inner_text()
        deputy.shot("to-order-as-acting")
        _sign(deputy, "order", "อนุมัติ", "ลงนามสั่งการ", decision="อนุมัติ")
        _flash(deputy.page, "ลงนามสั่งการแล้ว")
        paper = deputy.page.locator(".paper").inner_text()
        assert "รักษาราชการแทน" in paper
        deputy.shot("decided")

        pdf_href = deputy.page.get_by_role("link", name=re.compile("^PDF")).get_attribute("href")
        response = deputy.context.request.get(deputy.base + pdf_href)
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        doc = pdfium.PdfDocument(response.body())
        lines = [line.strip() for i in range(len(doc)) for line in doc[i].get_textpage().get_text_range().splitlines()
                 if line.strip()]
        at = len(lines) - 1 - lines[::-1].index(f"({DEPUTY})")  # the order's block
        block = "".join(lines[at + 1:at + 8]).replace(" ", "")
        assert block.startswith("ปลัดองค์การบริหารส่วนตำบลขอนหาดรักษาราชการแทนนายกองค์การบริหารส่วนตำบลขอนหาด"
                                "ตามคำสั่งที่๑๒/๒๕๖๘"), lines[at:at + 8]
    finally:
        admin.goto("/admin/appointments")
        admin.page.get_by_role("button", name="สิ้นสุดทันที").first.click()
        admin.page.wait_for_load_state("load")
    _flash(admin.page, "สิ้นสุดการแต่งตั้งแล้ว")
    assert "สิ้นสุดแล้ว" in admin.page.locator("table.appointments").inner_text()
    admin.shot("ended")
