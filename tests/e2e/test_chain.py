"""The reference memo's whole signing chain in the browser, then its PDF."""

from __future__ import annotations

import re

import pypdfium2 as pdfium

from .conftest import PASSWORD

SUBJECT = "รายงานผลการดำเนินการตามแผนปฏิบัติการป้องกันการทุจริต ประจำปีงบประมาณ พ.ศ. ๒๕๖๗ รอบ ๖ เดือน"


def _flash(page, text: str) -> None:
    assert page.locator(".alert-success").filter(has_text=text).count() == 1, page.locator(".alert").all_inner_texts()


def _sign(s, action: str, comment: str, button: str, decision: str | None = None) -> None:
    page = s.page
    form = page.locator(f"form.action-form:has(input[name=action][value={action}])")
    if decision:
        form.get_by_label(decision, exact=True).check()
    form.locator("textarea[name=comment]").fill(comment)
    if action == "return":
        # the reason is checked first; only then is the return confirmed, with the password
        form.get_by_role("button", name=button).click()
        page.wait_for_load_state("load")
        confirm = page.locator("form.return-confirm")
        assert comment in confirm.locator("#return-reason").inner_text()
        confirm.locator("input[name=password]").fill(PASSWORD)
        confirm.get_by_role("button", name="ยืนยันการส่งคืน").click()
        page.wait_for_load_state("load")
        return
    form.locator("input[name=password]").fill(PASSWORD)
    # the order freezes, signs and seals the PDF: on a busy machine that outlasts the default timeout
    if action == "order":
        with page.expect_navigation(timeout=120000):
            form.get_by_role("button", name=button).click(no_wait_after=True)
    else:
        form.get_by_role("button", name=button).click()
    page.wait_for_load_state("load")


def test_reference_memo_chain(as_user):
    legal = as_user("legal")
    legal.goto("/memos")
    legal.shot("my-memos")
    legal.page.get_by_role("link", name=re.compile("รายงานผลการดำเนินการ")).first.click()
    legal.page.wait_for_url(re.compile(r"/memos/\d+$"))
    memo_path = legal.page.url.removeprefix(legal.base)
    legal.shot("draft")
    legal.page.get_by_role("button", name="เสนอหนังสือ").click()
    _flash(legal.page, "เสนอหนังสือแล้ว")
    assert legal.page.locator(".paper").get_by_text("ที่ นศ").count() or "นศ" in legal.page.locator(".paper").inner_text()
    legal.shot("submitted")

    head = as_user("head")
    head.goto("/inbox")
    assert head.badge() >= 1
    head.shot("inbox")
    head.page.get_by_role("link", name=re.compile("รายงานผลการดำเนินการ")).first.click()
    head.shot("to-review")
    _sign(head, "return", "กรุณาแก้ไขข้อ ๓ ให้ระบุจำนวนโครงการให้ครบถ้วน", "ส่งคืนแก้ไข")
    _flash(head.page, "ส่งคืนแก้ไขแล้ว")
    head.shot("returned")

    legal.goto(memo_path)
    assert "ส่งคืนแก้ไข" in legal.page.locator("h1 + div").inner_text()
    legal.shot("returned")
    legal.page.get_by_role("link", name="แก้ไข", exact=True).click()
    legal.shot("edit")
    closing = legal.page.get_by_label("ข้อความลงท้าย")
    closing.fill("จึงเรียนมาเพื่อโปรดทราบและพิจารณา")
    legal.page.get_by_role("button", name="บันทึก", exact=True).click()
    _flash(legal.page, "บันทึกการแก้ไขแล้ว")
    assert "จึงเรียนมาเพื่อโปรดทราบและพิจารณา" in legal.page.locator(".paper").inner_text()
    legal.page.get_by_role("button", name="เสนอหนังสือ").click()
    _flash(legal.page, "เสนอหนังสือแล้ว")
    legal.shot("resubmitted")

    head.goto(memo_path)
    _sign(head, "forward", "เห็นควรเสนอนายก อบต. เพื่อโปรดพิจารณาอนุมัติ", "ลงนามความเห็นและส่งต่อ")
    _flash(head.page, "ลงนามความเห็นและส่งต่อแล้ว")
    head.shot("forwarded")

    deputy = as_user("deputy")
    deputy.goto("/inbox")
    deputy.shot("inbox")
    deputy.goto(memo_path)
    deputy.shot("to-review")
    _sign(deputy, "forward", "เห็นชอบตามเสนอ", "ลงนามความเห็นและส่งต่อ")
    _flash(deputy.page, "ลงนามความเห็นและส่งต่อแล้ว")

    mayor = as_user("mayor")
    mayor.goto(memo_path)
    mayor.shot("to-order")
    _sign(mayor, "order", "อนุมัติตามเสนอ", "ลงนามสั่งการ", decision="อนุมัติ")
    assert any("ยืนยันการลงนามสั่งการ" in d for d in mayor.watch.dialogs), mayor.watch.dialogs
    _flash(mayor.page, "ลงนามสั่งการแล้ว")
    assert "สั่งการแล้ว" in mayor.page.locator("h1 + div").inner_text()
    mayor.shot("decided")

    legal.goto(memo_path)
    legal.shot("decided")
    pdf_href = legal.page.get_by_role("link", name=re.compile("^PDF")).get_attribute("href")
    response = legal.context.request.get(legal.base + pdf_href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    doc = pdfium.PdfDocument(response.body())
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", SUBJECT) in flat, text[:500]
    assert "อนุมัติตามเสนอ" in flat
    assert "เห็นชอบตามเสนอ" in flat
