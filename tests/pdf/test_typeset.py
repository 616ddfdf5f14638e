"""Typesetting as a Thai reader sees it: no rivers, nothing past the margin
or over a cell, no single-word last line, dates whole, a signing block that
looks intended.  The figures are tests/pdf/measure.py's, on memos of these
tests' own (bench/typeset.py prints the same on the reference set)."""

from __future__ import annotations

import datetime as dt

import pytest

from approval.pdf import render as pdf_render
from approval.pdf import render_memo_pdf, thaibreak
from approval.pdf.thai import justify

from .conftest import flexible, full_text
from .measure import (
    MAX_GAP,
    MAX_SPACE_GAP,
    MM,
    measure,
    read_pages,
    without_actual_text,
)
from .reference_memo import reference_memo

URL = "https://www.dla.go.th/servlet/DocumentServlet?docType=law&year=2568&page=14&id=000123456789"
MAIL = "kongchang.khonhad.chawat@dla.go.th"
CODE = "QWERTYUIOPASDFGHJKLZXCVBNM9876543210"


def _memo(body: str, **changes) -> dict:
    memo = reference_memo(signed=True, table=False)
    memo["sections"] = [{"title": "ข้อเท็จจริง", "body": body}]
    memo.update(changes)
    return memo


HARD = {
    "urls": _memo(
        f"กองช่างได้ออกสำรวจเส้นทางตามคำร้องของประชาชนแล้ว รายละเอียดอยู่ที่ {URL} หรือสอบถามทาง {MAIL} "
        f"และรหัสโครงการ {CODE} ตามหนังสือ ที่ มท ๐๘๑๐.๓/ว ๑๒๓๔ ลงวันที่ ๙ กรกฎาคม ๒๕๖๘ นั้น",
        subject=f"ขอส่งรายงานการสำรวจเส้นทาง {URL}",
    ),
    "compounds": _memo(
        "ข้อบัญญัติงบประมาณรายจ่ายประจำปีงบประมาณขององค์การบริหารส่วนตำบลขอนหาดได้ตั้งงบประมาณไว้"
        "สำหรับโครงการพัฒนาศักยภาพบุคลากรด้านเทคโนโลยีสารสนเทศและการสื่อสารเพื่อการบริหารจัดการ"
        "องค์กรปกครองส่วนท้องถิ่นอย่างมีประสิทธิภาพและประสิทธิผลสูงสุดต่อประชาชนในพื้นที่ทราบ"
    ),
    "table": _memo("ตามตาราง"),
}
HARD["table"]["sections"][0]["table"] = {
    "header": [[{"text": "ที่", "width": "10%"}, {"text": "แหล่งข้อมูล", "width": "45%"}, {"text": "รหัส", "width": "45%"}]],
    "rows": [[{"text": "๑", "align": "c"}, {"text": URL}, {"text": CODE}],
             [{"text": "๒", "align": "c"}, {"text": MAIL}, {"text": "ค่าใช้จ่ายในการเดินทางไปราชการ"}]],
}


@pytest.fixture(scope="module", params=sorted(HARD))
def figures(request):
    with without_actual_text():
        return measure(render_memo_pdf(HARD[request.param]))


def test_no_river(figures):
    assert figures.widest_gap_mm <= MAX_GAP / MM, figures.worst[:3]
    assert figures.widest_space_gap_mm <= MAX_SPACE_GAP / MM, figures.worst[:3]
    assert figures.lines_with_gaps == 0


def test_nothing_past_the_margin_or_over_a_cell(figures):
    assert figures.past_margin == 0, figures.overflow[:3]
    assert figures.over_cells == 0, figures.overflow[:3]


def test_no_single_word_last_line(figures):
    assert figures.single_word_last_lines == 0, figures.widows


def test_the_measure_sees_rivers():
    """The figures above catch the old justification: with the slack on the
    spaces and Thai word boundaries again (xhtml2pdf's own line drawing),
    the same memos open gaps over the target."""
    from approval.pdf.thai import shaping

    saved = shaping.ThaiTextObject.__dict__["stretch_plan"]
    del shaping.ThaiTextObject.stretch_plan  # justify hands every line to xhtml2pdf
    try:
        with without_actual_text():
            old = measure(render_memo_pdf(HARD["urls"]))
    finally:
        shaping.ThaiTextObject.stretch_plan = saved
    assert old.widest_gap_mm > MAX_GAP / MM or old.widest_space_gap_mm > MAX_SPACE_GAP / MM


def test_stretch_points_skip_codes_and_clusters():
    text = "กองช่าง ที่ มท ๐๘๑๐.๓/ว ๑๒๓๔ พ.ศ.๒๕๖๘"
    points = thaibreak.stretch_points(text)
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    # nothing inside the document number, the year, or a cluster (ช่า)
    assert "๐๘๑๐.๓/ว " in pieces
    assert "พ.ศ.๒๕๖๘" in pieces
    assert "ช่า" in pieces
    assert all(not p.startswith(("\u0e48", "\u0e32")) for p in pieces)


def test_justified_lines_spread_over_clusters():
    """A justified line's added space is at most the cap per stretch point."""
    memo = _memo("กองช่างได้ออกสำรวจเส้นทางตามคำร้องของประชาชนแล้วเห็นควรดำเนินการซ่อมแซมถนนสายหลักของหมู่บ้าน" * 3)
    with without_actual_text():
        pages = read_pages(render_memo_pdf(memo))
    body = [line for line in pages[0].lines if line.size == 16 and len(line.glyphs) > 40]
    assert body
    cap = justify.CAP_EM * 16
    for line in body:
        gaps = [gap for gap, space, _a, _b in line.gaps if not space]
        assert max(gaps) <= cap + 1.5, (line.text, max(gaps))  # the cap and the side bearings


def test_long_strings_break_at_natural_points():
    assert thaibreak.segments(URL)[:3] == ["https://", "www.", "dla."]
    assert thaibreak.segments(MAIL)[-3:] == ["@dla.", "go.", "th"]
    assert thaibreak.segments("พ.ศ.๒๕๖๖-๒๕๗๐") == ["พ.ศ.๒๕๖๖-๒๕๗๐"]
    text = full_text(render_memo_pdf(HARD["urls"]))
    for field in (URL, MAIL, CODE):
        assert flexible(field).search(text), field


@pytest.mark.parametrize("date", ["๙ กรกฎาคม ๒๕๖๘", "พ.ศ. ๒๕๖๘", "๒ ธ.ค. ๒๕๖๙", "๑๐:๑๘ น."])
def test_dates_never_split(date):
    glued = thaibreak.glue(f"ลงวันที่ {date} นั้น")
    assert thaibreak.unglue(glued) == f"ลงวันที่ {date} นั้น"
    assert date.replace(" ", thaibreak.WJ) in glued
    for piece in glued.split(" "):
        assert thaibreak.WJ not in "".join(thaibreak.segments(piece)[1:2])[:1]


def test_header_values_on_the_label_baseline():
    pages = read_pages(render_memo_pdf(reference_memo()))
    lines = pages[0].lines
    for label in ("ส่วนราชการ", "ที่", "วันที่"):
        lab = next(line for line in lines if line.size == 20 and line.text.replace(" ", "") == label)
        values = [line for line in lines if line.size == 16 and abs(line.y - lab.y) < 8]
        assert values, label
        assert all(abs(v.y - lab.y) < 0.3 for v in values), (label, lab.y, [v.y for v in values])


def test_position_breaks_before_the_organisation():
    position = "ผู้อำนวยการกองสาธารณสุขและสิ่งแวดล้อมองค์การบริหารส่วนตำบลขอนหาด"
    lines = pdf_render.position_lines(position)
    assert "".join(lines) == position
    assert lines[-1] == "องค์การบริหารส่วนตำบลขอนหาด"
    assert pdf_render.position_lines("นายกองค์การบริหารส่วนตำบลขอนหาด") == ["นายก", "องค์การบริหารส่วนตำบลขอนหาด"]
    assert pdf_render.position_lines("นิติกร") == ["นิติกร"]


def test_signing_block_name_once_and_esign_mark():
    memo = reference_memo(signed=True)
    memo["author"]["signed_at"] = dt.datetime(2026, 12, 2, 3, 18, tzinfo=dt.UTC)
    text = full_text(render_memo_pdf(memo))
    assert len(flexible(memo["author"]["full_name"]).findall(text)) == 1
    assert flexible("ลงนามอิเล็กทรอนิกส์ ๒ ธ.ค. ๒๕๖๙ ๑๐:๑๘ น.").search(text)
    for step in memo["steps"]:
        assert len(flexible(step["signer"]["full_name"]).findall(text)) == 1
    # a preview: no mark, room to sign, the name still once
    memo["is_draft"] = True
    text = full_text(render_memo_pdf(memo))
    assert "ลงนามอิเล็กทรอนิกส์" not in text
    assert len(flexible(memo["author"]["full_name"]).findall(text)) == 1
