"""What the order's speed-ups must leave as it was: the same bytes for the memo and the
certificate page (speed patch 14, the certificate page's compacted HTML), and the PDF/A font
check's verdict (approval.signatures.pades, text operators only)."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf
import pytest
from reportlab.pdfgen import canvas
from xhtml2pdf import files as xfiles

from approval.pdf import fonts, render_memo_pdf
from approval.pdf.render import compact_tables, html_to_pdf, jinja_env
from approval.signatures import pades

from .reference_memo import reference_memo

CREATED = dt.datetime(2026, 12, 2, 3, 18, tzinfo=dt.UTC)


def _certificate_context(**extra) -> dict:
    rows = [{"seq": n, "round": 1, "capacity": capacity, "name": name, "position": position,
             "action": action, "time": "๒ ธ.ค. ๒๕๖๙ ๑๐:๑๘ น.", "fingerprint": pades.grouped("ab" * 32),
             "verdict": "ลายมือชื่อถูกต้อง", "valid": True}
            for n, (capacity, name, position, action) in enumerate([
                ("ผู้อำนวยการกองคลัง", "นางสาวสมใจ ใจดี", "ผู้อำนวยการกองคลัง", "เสนอ"),
                ("ปลัด อบต. (กลุ่มความเห็น)", "นายสมชาย ใจงาม", "ปลัดองค์การบริหารส่วนตำบลขอนหาด", "เสนอ"),
                ("นายก อบต.", "นายประยุทธ มั่นคง", "นายกองค์การบริหารส่วนตำบลขอนหาด", "อนุมัติ"),
            ], start=1)]
    return {"memo": {"number": "ขก ๗๘๕๐๑/๑๒๓", "subject": "รายงานผลการดำเนินการ", "date_text": "๒ ธันวาคม ๒๕๖๙"},
            "rows": rows, "digits": pades.digits_of(True), "pdf_signer": "นายประยุทธ มั่นคง",
            "org_name": "องค์การบริหารส่วนตำบลขอนหาด", "verify_url": "https://example.test/verify/abc",
            "rendered_sha256": "cd" * 32, "rendered_sha256_grouped": pades.grouped("cd" * 32), "tsa": False,
            "created_at": CREATED, **extra}


@pytest.fixture()
def fetched_fonts(monkeypatch):
    """The @font-face files fetched as stock xhtml2pdf fetches them (patch 14 stood aside)."""
    monkeypatch.setattr(fonts, "registered_file", lambda uri: None)


@pytest.fixture()
def temporary_directories(monkeypatch):
    made = []
    tmpdir = xfiles.TmpFiles.tmpdir

    def counted(self):
        made.append(1)
        return tmpdir(self)

    monkeypatch.setattr(xfiles.TmpFiles, "tmpdir", counted)
    return made


def test_every_face_of_the_templates_is_known_as_registered():
    fonts.register_fonts()
    uris = {(0, 0): None, (1, 0): None, (0, 1): None, (1, 1): None}
    for key in uris:
        path = fonts.font_path(*key)
        assert fonts.registered_file(path.as_uri()) == path
        assert path.as_uri() in fonts.font_face_css()
    assert fonts.registered_file("file:///etc/passwd") is None


def test_registered_faces_are_not_fetched(temporary_directories):
    render_memo_pdf(reference_memo(signed=True))
    pades.certificate_page(_certificate_context())
    assert temporary_directories == []  # no copy of a font file for either


def test_the_memo_prints_the_same_without_fetching_its_fonts(monkeypatch):
    memo = reference_memo(signed=True)
    fast = render_memo_pdf(memo)
    monkeypatch.setattr(fonts, "registered_file", lambda uri: None)
    assert render_memo_pdf(memo) == fast


def test_the_certificate_page_prints_the_same_without_fetching_its_fonts(monkeypatch):
    context = _certificate_context()
    fast = pades.certificate_page(context)
    monkeypatch.setattr(fonts, "registered_file", lambda uri: None)
    assert pades.certificate_page(context) == fast


@pytest.mark.parametrize("pdf_signer", ["นายประยุทธ มั่นคง", None])
def test_the_certificate_pages_compacted_html_prints_the_same(pdf_signer):
    context = _certificate_context(pdf_signer=pdf_signer)
    html = jinja_env().get_template("pdf/_signatures.html").render(font_faces=fonts.font_face_css(), **context)
    assert compact_tables(html) != html
    assert pades.certificate_page(context) == html_to_pdf(html, [], CREATED)


_OPEN: list[pikepdf.Pdf] = []  # the documents of the pages below, kept open


def _page(draw) -> pikepdf.Page:
    out = io.BytesIO()
    c = canvas.Canvas(out)
    draw(c)
    c.showPage()
    c.save()
    _OPEN.append(pikepdf.open(io.BytesIO(out.getvalue())))
    return _OPEN[-1].pages[0]


def test_the_font_check_sees_text_shown_with_the_standard_font():
    shown = _page(lambda c: c.drawString(100, 100, "Helvetica"))
    name = next(iter(shown.Resources.Font.keys()))
    assert pades._shows_with(shown, name)


def test_the_font_check_passes_a_font_only_selected():
    # the canvas's preamble selects /F1 and shows nothing; text follows in another font
    selected = _page(lambda c: (c.setFont("Courier", 12), c.drawString(100, 100, "Courier")))
    assert "BT /F1 12 Tf" in selected.Contents.read_bytes().decode("latin-1")
    assert not pades._shows_with(selected, "/F1")
    assert pades._shows_with(selected, "/F2")


def _png(path, size, color) -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    for i in range(0, size[0], 7):
        draw.line([(i, 0), (size[0] - i, size[1])], fill=color, width=2)
    image.save(path)
    return str(path)


def test_images_print_the_same_when_their_compression_is_remembered(tmp_path, monkeypatch):
    """Patch 15: the emblem and the signature images, compressed once per process."""
    from reportlab.pdfbase import pdfdoc

    from approval.pdf import registry
    from approval.pdf.speed import images

    memo = reference_memo(signed=True)
    memo["organization"] = {**memo["organization"], "emblem_path": _png(tmp_path / "emblem.png", (300, 300), (0, 0, 0, 255))}
    memo["author"] = {**memo["author"], "signature_path": _png(tmp_path / "a.png", (240, 80), (0, 0, 140, 255))}
    memo["steps"] = [{**s, "signer": {**s["signer"], "signature_path": _png(tmp_path / f"s{n}.png", (240, 80), (0, 0, 90 + n, 255))}}
                     for n, s in enumerate(memo["steps"])]
    images._cache.clear()
    images._cache_bytes[0] = 0
    first = render_memo_pdf(memo)
    remembered = len(images._cache)
    # each image's pixels, and the soft masks (one for the signatures: the same alpha channel)
    assert remembered == 2 + 1 + 1 + len(memo["steps"])
    assert render_memo_pdf(memo) == first
    assert len(images._cache) == remembered  # the second render compressed no image again
    monkeypatch.setattr(pdfdoc.PDFImageXObject, "loadImageFromSRC", registry.ORIGINALS[images.LOAD_SRC])
    assert render_memo_pdf(memo) == first
