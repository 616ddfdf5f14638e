"""Verification by anyone: the decided reference memo's PDF, downloaded, then dropped on /verify
by someone who is not signed in; and the QR code's page."""

from __future__ import annotations

import re

from .test_chain import _sign

STEPS = [("legal", None), ("head", ("forward", "เห็นควรเสนอ", "ลงนามความเห็นและส่งต่อ", None)),
         ("deputy", ("forward", "เห็นชอบตามเสนอ", "ลงนามความเห็นและส่งต่อ", None)),
         ("mayor", ("order", "อนุมัติตามเสนอ", "ลงนามสั่งการ", "อนุมัติ"))]


def _decided_memo(as_user) -> str:
    """The reference memo's path, signed through the chain here unless an earlier scenario did."""
    legal = as_user("legal")
    legal.goto("/memos")
    legal.page.get_by_role("link", name=re.compile("รายงานผลการดำเนินการ")).first.click()
    legal.page.wait_for_url(re.compile(r"/memos/\d+$"))
    path = legal.page.url.removeprefix(legal.base)
    if "สั่งการแล้ว" in legal.page.locator("h1 + div").inner_text():
        return path
    if legal.page.get_by_role("button", name="เสนอหนังสือ").count():
        legal.page.get_by_role("button", name="เสนอหนังสือ").click()
        legal.page.wait_for_load_state("load")
    for username, step in STEPS[1:]:
        signer = as_user(username)
        signer.goto(path)
        if signer.page.locator(f"form.action-form:has(input[name=action][value={step[0]}])").count():
            _sign(signer, step[0], step[1], step[2], decision=step[3])
    return path


def test_a_downloaded_pdf_verifies_on_the_public_page(as_user, tmp_path):
    path = _decided_memo(as_user)
    legal = as_user("legal")
    legal.goto(path)
    assert "ลายมือชื่อดิจิทัล" in legal.page.locator("#signatures").inner_text()
    legal.shot("signatures")
    pdf_href = legal.page.get_by_role("link", name=re.compile("^PDF")).get_attribute("href")
    response = legal.context.request.get(legal.base + pdf_href)
    assert response.status == 200
    pdf = tmp_path / "memo.pdf"
    pdf.write_bytes(response.body())
    token_href = legal.page.get_by_role("link", name="หน้าตรวจสอบสาธารณะ").get_attribute("href")

    anyone = as_user(None)
    anyone.goto("/verify")
    anyone.shot("verify-form")
    anyone.page.set_input_files("input[name=file]", str(pdf))
    anyone.page.get_by_role("button", name="ตรวจสอบ").click()
    anyone.page.wait_for_load_state("load")
    report = anyone.page.locator("#report").inner_text()
    assert "ไฟล์นี้ตรงกับต้นฉบับที่จัดเก็บในระบบ" in report, report
    assert "ลายมือชื่อถูกต้อง เอกสารไม่ถูกแก้ไข" in report, report
    anyone.shot("verified")

    tampered = tmp_path / "tampered.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 3] ^= 0x01
    tampered.write_bytes(bytes(data))
    anyone.goto("/verify")
    anyone.page.set_input_files("input[name=file]", str(tampered))
    anyone.page.get_by_role("button", name="ตรวจสอบ").click()
    anyone.page.wait_for_load_state("load")
    assert "ไฟล์นี้ไม่ตรงกับต้นฉบับใดที่จัดเก็บในระบบ" in anyone.page.locator("#report").inner_text()
    anyone.shot("tampered")

    anyone.goto(token_href)
    assert "ลายมือชื่อทุกรายการถูกต้อง" in anyone.page.locator("#verdict").inner_text()
    anyone.shot("qr-page")
