"""Attachments in the browser: add two files on the edit page, see them listed, and on the PDF."""

from __future__ import annotations

import re

from tests import attachment_files as files

from .test_pages import _new_memo


def _pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def test_add_two_files_and_see_them_on_the_pdf(as_user, tmp_path):
    legal = as_user("legal")
    page = legal.page
    memo_path = _new_memo(legal, "ขออนุมัติจัดซื้อวัสดุ พร้อมเอกสารแนบ (ทดสอบไฟล์แนบ)")
    legal.goto(memo_path + "/edit")
    quote = tmp_path / "ใบเสนอราคา.pdf"
    quote.write_bytes(files.pdf("Quotation"))
    photo = tmp_path / "ภาพสถานที่.png"
    photo.write_bytes(files.image("PNG", (320, 200)))

    for path, title in ((quote, "ใบเสนอราคาร้านค้า"), (photo, "ภาพถ่ายสถานที่")):
        page.get_by_label("เลือกไฟล์ที่จะแนบ").set_input_files(str(path))
        page.get_by_label("ชื่อเรื่องของไฟล์ (ไม่บังคับ)").fill(title)
        page.get_by_role("button", name="แนบไฟล์").click()
        page.wait_for_url(re.compile(r"/edit(#attachments)?$"))
        assert "แนบไฟล์" in page.locator(".alert-success").inner_text()
    items = page.locator("#attachments .attachment-item")
    assert items.count() == 2
    legal.shot("edit-with-attachments")

    # reorder without JavaScript: the photo first
    items.nth(1).get_by_role("button", name="▲ เลื่อนขึ้น").click()
    page.wait_for_url(re.compile(r"/edit(#attachments)?$"))

    legal.goto(memo_path)
    listed = page.locator("#attachments .attachment-title").all_inner_texts()
    assert listed == ["ภาพถ่ายสถานที่", "ใบเสนอราคาร้านค้า"]
    text = page.locator("#attachments").inner_text()
    assert "รูปภาพ PNG" in text and "PDF" in text and "ไบต์" in text
    assert page.locator("#attachments img.attachment-preview").count() == 1
    legal.shot("memo-with-attachments")

    response = page.request.get(legal.base + memo_path + "/pdf")
    assert response.status == 200
    printed = re.sub(r"\s+", "", _pdf_text(response.body()))
    assert "สิ่งที่ส่งมาด้วย" in printed
    assert "๑.ภาพถ่ายสถานที่" in printed and "๒.ใบเสนอราคาร้านค้า" in printed

    download = page.request.get(legal.base + memo_path + "/attachments/" +
                                page.locator("#attachments a", has_text="ดาวน์โหลด").last.get_attribute("href")
                                .rsplit("/", 1)[-1])
    assert download.status == 200 and download.headers["content-disposition"].startswith("attachment;")
