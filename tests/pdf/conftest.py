"""Fixtures for the printed-memo tests: rendered PDFs and helpers to read them."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest

from approval.pdf import render_memo_pdf

from .reference_memo import reference_memo

CM = 72 / 2.54


@pytest.fixture(scope="session")
def signed_memo() -> dict:
    return reference_memo(signed=True)


@pytest.fixture(scope="session")
def signed_pdf(signed_memo) -> bytes:
    return render_memo_pdf(signed_memo)


@pytest.fixture(scope="session")
def blank_pdf() -> bytes:
    return render_memo_pdf(reference_memo(signed=False))


def page_texts(pdf_bytes: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def full_text(pdf_bytes: bytes) -> str:
    """The text of all pages, without the page-number lines ("- ๒ -") of pages 2+."""
    pages = page_texts(pdf_bytes)
    out = pages[:1]
    for page in pages[1:]:
        first, _, rest = page.partition("\r\n")
        out.append(rest if re.fullmatch(r"- \S+ -", first.strip()) else page)
    return "\r\n".join(out)


def flexible(field: str) -> re.Pattern:
    """
    ``field`` as it may appear in extracted text: exactly, except that a line
    may end between any two characters (Thai words have no space between
    them) or in place of a space.
    """
    parts = []
    for ch in field:
        if ch == " ":
            parts.append(r"(?: |\r?\n)")
        else:
            parts.append(re.escape(ch) + r"(?:\r?\n)?")
    return re.compile("".join(parts))


def char_boxes(pdf_bytes: bytes):
    """(page index, page width, page height, [(char, left, bottom, right, top)])."""
    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            boxes = []
            for k in range(tp.count_chars()):
                ch = tp.get_text_range(k, 1)
                if not ch.strip():
                    continue
                boxes.append((ch, *tp.get_charbox(k)))
            out.append((i, page.get_width(), page.get_height(), boxes))
        return out
    finally:
        doc.close()
