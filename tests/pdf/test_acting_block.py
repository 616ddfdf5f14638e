"""The acting official's signing block on paper, read back from the PDF's text layer.

The deputy (ปลัด) gives the order as รักษาราชการแทน นายก: the frozen PDF prints their own name
and position, the capacity word, then the holder's position and the order that appointed
them -- each line broken between words, never inside one.
"""

from __future__ import annotations

import datetime as dt

from approval.extensions import db
from approval.pdf import render as pdf_render
from approval.services import appointments, documents

from ..helpers import act, memo_in, user
from .conftest import page_texts


def _lines(pdf: bytes) -> list[str]:
    return [line.strip() for page in page_texts(pdf) for line in page.splitlines() if line.strip()]


def test_the_frozen_pdf_prints_the_acting_block(seeded):
    deputy, mayor = user("deputy"), user("mayor")
    appointments.appoint(db.session, user("admin"), {
        "kind": "acting", "holder_id": mayor.id, "stand_in_id": deputy.id,
        "starts_on": appointments.today().isoformat(), "order_number": "12/2568", "order_date": "2025-01-06"})
    db.session.commit()
    memo = memo_in("review_mayor")
    act(memo, "deputy", "order", decision="approve")
    pdf, _ = documents.pdf_for(memo)
    lines = _lines(pdf)
    name = f"({deputy.full_name})"
    at = len(lines) - 1 - lines[::-1].index(name)  # the order's block: the deputy's second signature
    expected = pdf_render.capacity_lines(deputy.position, {
        "word": "รักษาราชการแทน", "position": mayor.position, "order_number": "12/2568",
        "order_date": dt.date(2025, 1, 6)})
    assert lines[at + 1:at + 1 + len(expected)] == expected
    # the signer's own position, then the capacity word, then the owner's position, then the order
    assert "".join(expected).replace(" ", "") == (
        deputy.position + "รักษาราชการแทน" + mayor.position + "ตามคำสั่งที่๑๒/๒๕๖๘ลงวันที่๖มกราคม๒๕๖๘")
    assert "รักษาราชการแทน" in expected
    # the deputy's own opinion step prints no capacity
    first = lines.index(name)
    assert "รักษาราชการแทน" not in lines[first + 1:first + 4]


def test_capacity_lines_break_between_words_only():
    """A long position wraps between words; the word follows the position when it fits."""
    lines = pdf_render.capacity_lines("ปลัดอบต.", {"word": "รักษาราชการแทน", "position": "นายกอบต.ขอนหาด"})
    assert lines == ["ปลัดอบต. รักษาราชการแทน", "นายกอบต.ขอนหาด"]
    long = pdf_render.capacity_lines(
        "นักวิชาการคอมพิวเตอร์ปฏิบัติการ สำนักปลัดองค์การบริหารส่วนตำบลขอนหาด",
        {"word": "ปฏิบัติราชการแทน", "position": "หัวหน้าสำนักปลัดองค์การบริหารส่วนตำบลขอนหาด"})
    words = {"นักวิชาการคอมพิวเตอร์ปฏิบัติการ", "สำนักปลัด", "องค์การบริหารส่วนตำบลขอนหาด", "ปฏิบัติราชการแทน",
             "หัวหน้าสำนักปลัด"}
    assert all(line in words for line in long), long
    assert long.index("ปฏิบัติราชการแทน") == 3
    assert pdf_render.capacity_lines("นิติกร", None) == ["นิติกร"]
