"""Tables marked ``data-pdf="grid"`` (the plan report's) are laid out straight
from their markup by approval.pdf.grid: the same text, spans, widths, header
rows and Thai line breaking as any other text, without xhtml2pdf's per-cell
CSS machinery."""

from __future__ import annotations

import datetime as dt
from html import escape

import pypdfium2 as pdfium
import pytest

from approval.pdf import render as pdf_render
from approval.pdf import thai_layers

from .conftest import CM, char_boxes, page_texts

MARGIN = 2 * CM
PAGE_W = 595.2756
FRAME_W = PAGE_W - 2 * MARGIN


def _pdf(table: str) -> bytes:
    pdf_render.install_thai_support()
    html = (
        "<html lang='th'><head><style>"
        f"{pdf_render.fonts.font_face_css()}"
        f"@page {{ size: a4; margin: {MARGIN}pt; }}"
        "body { font-family: sarabun; font-size: 11pt; }"
        "</style></head><body>"
        f"{table}</body></html>"
    )
    return pdf_render.html_to_pdf(html, [], dt.datetime(2024, 1, 1, tzinfo=dt.UTC))


def _table(rows: list[list[str]], widths: list[int], header: list[str] | None = None, *,
           cls: str = "", repeat: int = 0, grid: bool = True) -> str:
    mark = ' data-pdf="grid"' if grid else ""
    more = f' repeat="{repeat}"' if repeat else ""
    out = [f'<table width="100%"{mark}{more}>']
    if header:
        out.append("<tr>" + "".join(f'<th width="{w}%">{escape(h)}</th>' for h, w in zip(header, widths)) + "</tr>")
    for row in rows:
        cells = "".join(
            f'<td class="{cls}"{"" if header else f" width={w}%"}>{escape(text)}</td>' for text, w in zip(row, widths)
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    return "".join(out)


def _borders(widths: list[int]) -> list[float]:
    xs, x = [MARGIN], MARGIN
    for w in widths:
        x += FRAME_W * w / 100
        xs.append(x)
    return xs


def test_cell_text_prints_literally_and_exactly():
    rows = [["<b>ตัวหนา</b> & อื่น ๆ", "ที่ทำการ ญี่ปุ่น", "๑๐,๐๐๐.๐๐"]]
    pdf = _pdf(_table(rows, [40, 40, 20], header=["หัว", "ข้อ", "เงิน"]))
    text = page_texts(pdf)[0]
    for cell in rows[0] + ["หัว", "ข้อ", "เงิน"]:
        assert cell in text, cell
    assert "\u200b" not in text
    assert not any(0xE000 <= ord(ch) <= 0xF8FF for ch in text)


def test_long_thai_words_stay_inside_their_cells():
    words = ["เทคโนโลยีสารสนเทศ", "องค์การบริหารส่วนตำบลขอนหาด", "ประชาสัมพันธ์", "ยุทธศาสตร์การพัฒนา"]
    widths = [10, 10, 10, 70]
    pdf = _pdf(_table([words], widths))
    borders = _borders(widths)
    (_i, _w, _h, boxes), = char_boxes(pdf)
    assert len(boxes) >= sum(len(w) for w in words)
    for ch, left, _bottom, right, _top in boxes:
        for x in borders:
            assert not (left < x - 0.5 and right > x + 0.5), (ch, left, right, x)
    # and a long phrase breaks between words, never inside one
    text = page_texts(pdf)[0]
    assert "องค์การ" in text.replace("\r\n", "") and "ขอนหาด" in text


def test_numbers_right_aligned_and_centred_cells():
    widths = [50, 50]
    num = _pdf(_table([["๑๒๓.๔๕", "๑"]], widths, cls="pr-num"))
    centred = _pdf(_table([["๑๒๓.๔๕", "๑"]], widths, cls="pr-c"))
    borders = _borders(widths)
    (_i, _w, _h, boxes), = char_boxes(num)
    right_edge = max(r for ch, _l, _b, r, _t in boxes if ch in "๑๒๓.๔๕" and r < borders[1])
    assert borders[1] - 3 - 2 < right_edge <= borders[1] - 3 + 0.5
    (_i, _w, _h, boxes), = char_boxes(centred)
    first = [(l, r) for ch, l, _b, r, _t in boxes if l < borders[1]]
    middle = (min(l for l, _r in first) + max(r for _l, r in first)) / 2
    assert abs(middle - (borders[0] + borders[1]) / 2) < 2


def test_spans_and_repeated_header_rows():
    header = (
        '<tr><th rowspan="2" width="20%">ลำดับ</th><th colspan="2">สถานะ</th></tr>'
        '<tr><th width="40%">รอรายงาน</th><th width="40%">แล้วเสร็จ</th></tr>'
    )
    body = "".join(f'<tr><td class="pr-c">{i}</td><td>โครงการที่ {i}</td><td>-</td></tr>' for i in range(1, 121))
    pdf = _pdf(f'<table width="100%" data-pdf="grid" repeat="2">{header}{body}</table>')
    pages = page_texts(pdf)
    assert len(pages) >= 2
    for page in pages:
        assert "ลำดับ" in page and "สถานะ" in page and "รอรายงาน" in page
    every = "".join(pages)
    for i in (1, 60, 120):
        assert f"โครงการที่ {i}" in every
    # the spanning header is one cell: its text once per page
    assert all(page.count("สถานะ") == 1 for page in pages)


def test_same_text_as_the_html_path():
    """With the Thai layers off xhtml2pdf lays the same markup out itself:
    the grid prints the same words."""
    rows = [["โครงการส่งเสริมการดำเนินชีวิต", "๑", "๑๐,๐๐๐.๐๐"], ["มาตรการ NO Gift Policy", "๒", "๐.๐๐"]]
    grid = _pdf(_table(rows, [60, 10, 30], header=["รายการ", "มิติ", "งบประมาณ"]))
    with thai_layers(False):
        plain = _pdf(_table(rows, [60, 10, 30], header=["รายการ", "มิติ", "งบประมาณ"], grid=False))

    def words(pdf):
        return sorted(page_texts(pdf)[0].split())

    assert words(grid) == words(plain)


@pytest.mark.parametrize("attrs", ['colspan="0"', 'rowspan="x"', 'width="abc%"', 'colspan="-3"', 'width="90%"'])
def test_odd_attributes_do_not_break_the_table(attrs):
    pdf = _pdf(f'<table data-pdf="grid" repeat="zz"><tr><td {attrs}>ก</td><td width="80%">ข</td></tr></table>'
               '<table data-pdf="grid"></table><table data-pdf="grid"><tr></tr></table>')
    doc = pdfium.PdfDocument(pdf)
    try:
        assert len(doc) == 1
    finally:
        doc.close()
    assert "ก" in page_texts(pdf)[0]


def test_a_row_taller_than_the_page_continues_on_the_next():
    """A 500-character note (the most a project may have) in a narrow column
    is taller than a page: the row is split, nothing is lost."""
    note = "หมายเหตุการดำเนินงานโครงการ " * 17
    assert len(note) <= 500
    rows = [[str(i), "โครงการ", note if i == 2 else "-"] for i in range(1, 4)]
    pdf = _pdf(_table(rows, [10, 82, 8], header=["ลำดับ", "รายการ", "หมายเหตุ"], repeat=1))
    pages = page_texts(pdf)
    assert len(pages) >= 2
    header = "ลำดับรายการหมายเหตุ"
    squeezed = ["".join(p.split()) for p in pages]
    assert all(p.startswith(header) for p in squeezed)  # repeated on every page
    text = "".join(p[len(header):] for p in squeezed)
    assert text == "1โครงการ-2โครงการ" + "".join(note.split()) + "3โครงการ-"


def test_a_one_line_cell_prints_exactly_where_its_paragraph_would(monkeypatch):
    """Cells that fit on one line are drawn with a single text run; the
    glyphs land where the full paragraph would put them."""
    from approval.pdf import grid

    rows = [["๑", "ที่ทำการ ญี่ปุ่น", "๑๐,๐๐๐.๐๐"], ["๒", "โครงการเสริมสร้างความโปร่งใสในการบริหารงานบุคคลขององค์การบริหารส่วนตำบล", "๐.๐๐"],
            # other white space is one space, as the paragraph makes it; a no-break space stays
            ["๓", "Alpha\u202fBeta ชื่อ\u2003โครงการ a\u2028b", "x\x1fy\u00a0z"]]
    table = _table(rows, [10, 60, 30], header=["ลำดับ", "รายการ", "งบประมาณ"], cls="pr-num")
    fast = _pdf(table)
    monkeypatch.setattr(grid, "Cell", lambda text, kind: grid._paragraph(text, kind))
    slow = _pdf(table)

    def boxes(pdf):
        (_i, _w, _h, found), = char_boxes(pdf)
        return [(ch, *(round(v, 2) for v in box)) for ch, *box in found]

    assert boxes(fast) == boxes(slow)
    assert page_texts(fast) == page_texts(slow)


def test_grid_tables_are_cut_out_before_html5lib_and_read_back():
    from approval.pdf import grid

    page = (
        '<p>ก่อน</p><table class="pr-table" data-pdf="grid" repeat="1"><tr><th width="50%">หัว &amp; ท้าย</th>'
        '<th width="50%">ข</th></tr><tr class="pr-total"><td class="pr-num">๑</td><td>&lt;b&gt;</td></tr></table>'
        '<table><tr><td>ตารางธรรมดา</td></tr></table>'
    )
    with grid.cut_tables(page) as cut:
        assert "หัว" not in cut and "ตารางธรรมดา" in cut  # only the grid table is cut
        assert '<table data-pdf="grid" data-grid-ref="0" class="pr-table" repeat="1"></table>' in cut
        [spec] = grid._CUT.get()
    assert [[c.text for c in row] for row in spec.rows] == [["หัว & ท้าย", "ข"], ["๑", "<b>"]]
    assert spec.rows[1][0].row_classes == {"pr-total"} and spec.attrs["repeat"] == "1"
    assert grid._CUT.get() is None  # only for the render


def test_a_grid_table_met_in_the_dom_is_read_from_it():
    """Markup that was not cut out (handed to xhtml2pdf some other way) is read
    from the element itself, with the same result."""
    import html5lib

    from approval.pdf import grid

    markup = '<table data-pdf="grid" repeat="1"><tr><th>หัว</th><th>ข</th></tr><tr><td>๑</td><td>ที่ทำการ</td></tr></table>'
    doc = html5lib.parse(markup, treebuilder="dom")
    node = doc.getElementsByTagName("table")[0]
    table = grid.table_for(node)
    texts = [[getattr(c, "text", c) for c in row] for row in table._cellvalues]
    assert texts == [["หัว", "ข"], ["๑", "ที่ทำการ"]]
    assert table.repeatRows == 1


def test_a_table_in_an_html_comment_stays_there():
    from approval.pdf import grid

    page = '<!-- <table data-pdf="grid"><tr><td>ก</td></tr> --><p>ข</p><table data-pdf="grid"><tr><td>ค</td></tr></table>'
    with grid.cut_tables(page) as cut:
        assert cut.startswith('<!-- <table data-pdf="grid"><tr><td>ก</td></tr> --><p>ข</p>')
        assert [[c.text for c in row] for spec in grid._CUT.get() for row in spec.rows] == [["ค"]]
    assert "ค" in page_texts(_pdf(page))[0] and "ข" in page_texts(_pdf(page))[0]
