"""Chains per kind of memo in the browser: the admin builds "จัดซื้อเกิน ๑๐๐,๐๐๐ บาท" with the finance
and engineering heads in parallel, a memo of 150,000.00 takes it, one of 20,000.00 does not, both
heads sign side by side, editing the chain leaves the memo in flight alone, and the printed memo
shows both opinions."""

from __future__ import annotations

import re

import pypdfium2 as pdfium

from .conftest import PASSWORD

PURCHASE = "จัดซื้อเกิน ๑๐๐,๐๐๐ บาท"


def _flash(page, text: str) -> None:
    assert page.locator(".alert-success").filter(has_text=text).count() == 1, page.locator(".alert").all_inner_texts()


def _step(page, i: int, title: str, kind: str, assignee: str, group: str = "") -> None:
    page.locator(f"#steps-{i}-title").fill(title)
    page.locator(f"#steps-{i}-kind").select_option(kind)
    option = page.locator(f"#steps-{i}-assignee_id option", has_text=assignee).first
    page.locator(f"#steps-{i}-assignee_id").select_option(option.get_attribute("value"))
    page.locator(f"#steps-{i}-group").fill(group)


def _new_memo(s, subject: str, amount: str) -> str:
    s.goto("/memos/new")
    page = s.page
    page.get_by_label("เรื่อง", exact=True).fill(subject)
    page.get_by_label("เรียน").fill("นายกองค์การบริหารส่วนตำบลขอนหาด")
    page.locator("#sections-0-title").fill("ข้อเท็จจริง")
    page.locator("#sections-0-body").fill("ขออนุมัติจัดซื้อตามรายละเอียดที่แนบมา")
    page.get_by_label("ประเภทหนังสือ").fill("ขออนุมัติจัดซื้อจัดจ้าง")
    page.get_by_label("จำนวนเงิน (บาท)").fill(amount)
    page.get_by_role("button", name="บันทึก", exact=True).click()
    _flash(page, "บันทึกร่างหนังสือแล้ว")
    return page.url.removeprefix(s.base)


def _forward(s, path: str, comment: str) -> None:
    s.goto(path)
    form = s.page.locator("form.action-form:has(input[name=action][value=forward])")
    form.locator("textarea[name=comment]").fill(comment)
    form.locator("input[name=password]").fill(PASSWORD)
    form.get_by_role("button", name="ลงนามความเห็นและส่งต่อ").click()
    s.page.wait_for_load_state("load")
    _flash(s.page, "ลงนามความเห็นและส่งต่อแล้ว")


def test_purchase_chain_with_parallel_opinions(as_user):
    admin = as_user("admin")
    admin.goto("/admin/chain")
    assert "สายการลงนามหลัก" in admin.page.locator("#chain-list").inner_text()
    admin.shot("chains")
    admin.page.locator("#new-chain").click()
    page = admin.page
    page.get_by_label("ชื่อสายการลงนาม").fill(PURCHASE)
    page.get_by_label("จำนวนเงินตั้งแต่ (บาท)").fill("100000")
    for _ in range(4):
        page.locator("[data-chain-add]").click()
    _step(page, 0, "ความเห็นผู้อำนวยการกองคลัง", "opinion", "นางสาวจันทร์เพ็ญ ศรีทอง", "1")
    _step(page, 1, "ความเห็นผู้อำนวยการกองช่าง", "opinion", "นายสมบัติ ช่างดี", "1")
    _step(page, 2, "ความเห็นปลัดองค์การบริหารส่วนตำบลขอนหาด", "opinion", "นางสุภาพร จุลเรือง")
    _step(page, 3, "คำสั่งนายกองค์การบริหารส่วนตำบลขอนหาด", "order", "นายประยงค์ หนูบุญคง")
    preview = page.locator("[data-chain-preview]")
    assert preview.locator("[data-preview=group]").count() == 2  # the preview follows the page
    assert "(นายสมบัติ ช่างดี)" in preview.inner_text()
    admin.shot("new-chain")
    page.get_by_role("button", name="บันทึกสายการลงนาม").click()
    _flash(page, "บันทึกสายการลงนามแล้ว")
    assert PURCHASE in page.locator("#chain-list").inner_text()
    assert "ตั้งแต่ 100,000.00 บาท" in page.locator("#chain-list").inner_text()
    chain_url = page.url.removeprefix(admin.base)
    admin.shot("saved")

    legal = as_user("legal")
    big = _new_memo(legal, "ขออนุมัติจัดซื้อรถบรรทุกน้ำอเนกประสงค์", "150,000.00")
    assert PURCHASE in legal.page.locator("#chain-choice").inner_text()
    legal.shot("big-draft")
    legal.page.get_by_role("button", name="เสนอหนังสือ").click()
    _flash(legal.page, "เสนอหนังสือแล้ว")
    assert PURCHASE in legal.page.locator("#taken-chain").inner_text()
    assert legal.page.locator(".step-group").count() == 2
    legal.shot("big-submitted")

    _new_memo(legal, "ขออนุมัติจัดซื้อวัสดุสำนักงาน", "20000")
    choice = legal.page.locator("#chain-choice").inner_text()
    assert "สายการลงนามหลัก" in choice and PURCHASE not in choice
    legal.page.get_by_role("button", name="เสนอหนังสือ").click()
    _flash(legal.page, "เสนอหนังสือแล้ว")
    assert legal.page.locator(".step-group").count() == 0

    # Both heads have it in their inbox at once.
    finance, engineer = as_user("finance"), as_user("engineer")
    for s in (finance, engineer):
        s.goto("/inbox")
        assert s.page.get_by_role("link", name=re.compile("รถบรรทุกน้ำ")).count() == 1
    engineer.shot("inbox")
    _forward(engineer, big, "เห็นควรจัดซื้อตามคุณลักษณะเฉพาะ ENGOPINION")
    engineer.shot("signed")

    # The admin edits the chain while the memo is in flight: it keeps its four steps.
    admin.goto(chain_url)
    admin.page.locator("#steps-1-title").fill("ความเห็นกองช่าง (แก้ไข)")
    admin.page.get_by_role("button", name="บันทึกสายการลงนาม").click()
    _flash(admin.page, "บันทึกสายการลงนามแล้ว")
    assert "ฉบับที่ ๒" in admin.page.locator("h2").first.inner_text()

    _forward(finance, big, "งบประมาณเพียงพอ FINOPINION")
    assert "ความเห็นผู้อำนวยการกองช่าง" in finance.page.locator(".paper").inner_text()
    deputy = as_user("deputy")
    _forward(deputy, big, "เห็นควรอนุมัติ DEPOPINION")
    mayor = as_user("mayor")
    mayor.goto(big)
    form = mayor.page.locator("form.action-form:has(input[name=action][value=order])")
    form.get_by_label("อนุมัติ", exact=True).check()
    form.locator("input[name=password]").fill(PASSWORD)
    mayor.page.set_default_timeout(120_000)  # the order freezes the PDF: slow on a busy machine
    form.get_by_role("button", name="ลงนามสั่งการ").click()
    mayor.page.wait_for_load_state("load")
    _flash(mayor.page, "ลงนามสั่งการแล้ว")
    mayor.shot("ordered")

    response = legal.page.request.get(legal.base + big + "/pdf")
    assert response.status == 200
    pdf = pdfium.PdfDocument(response.body())
    text = re.sub(r"\s+", "", "".join(p.get_textpage().get_text_range() for p in pdf))
    assert text.index("FINOPINION") < text.index("ENGOPINION") < text.index("DEPOPINION")
    assert "ความเห็นผู้อำนวยการกองช่าง" in text and "ความเห็นกองช่าง(แก้ไข)" not in text
