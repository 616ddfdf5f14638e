"""The printed memo: text layer, layout, shaping, line breaking, determinism."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import statistics
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageStat
from xhtml2pdf.config.resources import ResourceAccessError

from approval.pdf import render as pdf_render
from approval.pdf import render_memo_pdf, thai_layers
from approval.pdf.thaibreak import NO_BREAK_AFTER, NO_BREAK_BEFORE
from approval.thai import thai_digits

from .conftest import CM, char_boxes, flexible, full_text, page_texts
from .reference_memo import FACTS, ORIGINAL, PROPOSAL, SUBJECT, reference_memo

GOLDEN = Path(__file__).parent / "golden" / "reference_memo_page1.png"
PUA = re.compile("[\ue000-\uf8ff]")


def _fields(memo: dict) -> list[str]:
    texts = [memo["department"], memo["number"], memo["subject"], memo["addressee"], memo["closing"],
             memo["author"]["full_name"], memo["author"]["position"], "๒ พฤษภาคม ๒๕๖๗"]
    for section in memo["sections"]:
        texts.append(section["title"])
        texts.extend(line for line in section["body"].splitlines() if line.strip())
    for step in memo["steps"]:
        texts += [step["title"], f"({step['signer']['full_name']})", step["signer"]["position"]]
        if step.get("comment"):
            texts.append(step["comment"])
        if step.get("decision_label"):
            texts.append(step["decision_label"])
        if step.get("acting"):
            texts.append(step["acting"])
    return texts


def test_text_layer_has_every_field_exactly(signed_memo, signed_pdf):
    text = full_text(signed_pdf)
    for field in _fields(signed_memo):
        assert flexible(field).search(text), f"not found exactly: {field!r}"
    # signing dates of the three steps, in Thai, Asia/Bangkok
    for day in ("๒ พฤษภาคม ๒๕๖๗", "๓ พฤษภาคม ๒๕๖๗", "๔ พฤษภาคม ๒๕๖๗"):
        assert flexible(day).search(text)
    assert "\u200b" not in text
    assert not PUA.search(text)


def test_blank_steps_print_assignees(blank_pdf):
    text = full_text(blank_pdf)
    memo = reference_memo()
    for step in memo["steps"]:
        assert flexible(step["title"]).search(text)
        assert flexible(f"({step['signer']['full_name']})").search(text)


def test_page_numbers_from_page_two(signed_pdf):
    pages = page_texts(signed_pdf)
    assert len(pages) >= 2
    assert not pages[0].lstrip().startswith("-")
    for number, page in enumerate(pages[1:], start=2):
        thai = str(number).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
        assert page.lstrip().startswith(f"- {thai} -"), page[:40]


def test_metadata(signed_memo, signed_pdf):
    doc = pdfium.PdfDocument(signed_pdf)
    meta = doc.get_metadata_dict()
    doc.close()
    assert meta["Title"] == signed_memo["title"]
    assert meta["Author"] == signed_memo["author_name"]
    assert meta["CreationDate"].startswith("D:20240502023000")
    assert b"/Lang (th)" in signed_pdf


def test_deterministic(signed_memo, signed_pdf):
    assert render_memo_pdf(copy.deepcopy(signed_memo)) == signed_pdf


def test_arabic_digits_and_draft_mark():
    memo = reference_memo(digits="arabic", is_draft=True)
    text = full_text(render_memo_pdf(memo))
    assert flexible("2 พฤษภาคม 2567").search(text)
    assert flexible("1. เรื่องเดิม").search(text)
    assert "ร่าง" in text
    assert "- 2 -" in text


def test_hostile_text_prints_literally(tmp_path):
    memo = reference_memo(signed=True)
    hostile = '<script>alert(1)</script> <img src="file:///etc/passwd">'
    memo["subject"] = memo["title"] = "เรื่อง " + hostile
    memo["sections"][0]["body"] = hostile + "\n" + "<pdf:nextpage/> &amp; {{ 7*7 }}"
    memo["steps"][0]["comment"] = "<b>ตัวหนา</b> " + hostile
    memo["organization"]["emblem_path"] = "/etc/passwd"
    memo["author"]["signature_path"] = str(tmp_path / "missing.png")
    text = full_text(render_memo_pdf(memo))
    assert flexible(hostile).search(text)
    assert flexible("<pdf:nextpage/> &amp; {{ 7*7 }}").search(text)
    assert flexible("<b>ตัวหนา</b>").search(text)


def test_policy_confines_reads():
    policy = pdf_render.resource_policy([])
    assert policy.allow_remote is False
    with pytest.raises(ResourceAccessError):
        policy.check_path("/etc/passwd")


def test_emblem_and_signature_images(tmp_path):
    emblem = tmp_path / "emblem.png"
    Image.new("RGB", (60, 60), (0, 0, 0)).save(emblem)
    sig = tmp_path / "sig.png"
    Image.new("RGB", (120, 40), (0, 0, 200)).save(sig)
    memo = reference_memo(signed=True)
    memo["organization"]["emblem_path"] = str(emblem)
    memo["author"]["signature_path"] = str(sig)
    pdf = render_memo_pdf(memo)
    doc = pdfium.PdfDocument(pdf)
    images = [obj for obj in doc[0].get_objects() if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    doc.close()
    assert images, "the emblem is drawn"
    # the signature replaces the typed name: the name is printed once, in ()
    text = full_text(pdf)
    assert len(flexible(memo["author"]["full_name"]).findall(text)) == 1


# --- layout -----------------------------------------------------------------


def test_no_glyph_past_the_margins(signed_pdf):
    for _i, width, height, boxes in char_boxes(signed_pdf):
        if width > height:
            continue  # landscape attachments have their own margins
        for ch, left, _bottom, right, _top in boxes:
            assert right <= width - 2 * CM + 1.0, (ch, right)
            assert left >= 3 * CM - 1.0, (ch, left)


def _table_memo(words: list[str], col_cm: float) -> dict:
    memo = reference_memo()
    memo["sections"] = [
        {
            "title": "ตาราง",
            "body": "ทดสอบตาราง",
            "table": {
                "header": [[{"text": "หัวข้อ", "width": f"{col_cm}cm"} for _ in words]],
                "rows": [[{"text": w} for w in words]],
            },
        }
    ]
    memo["steps"] = []
    return memo


def test_long_word_breaks_inside_its_cell():
    words = ["เทคโนโลยีสารสนเทศ", "องค์การบริหารส่วนตำบลขอนหาด", "ประชาสัมพันธ์", "ยุทธศาสตร์การพัฒนา"]
    col = 2.0
    pdf = render_memo_pdf(_table_memo(words, col))
    text = full_text(pdf)
    for w in words:
        assert flexible(w).search(text)
    borders = [3 * CM + k * col * CM for k in range(len(words) + 1)]
    doc = pdfium.PdfDocument(pdf)
    tp = doc[0].get_textpage()
    page_text = tp.get_text_range()
    start = page_text.index("ทดสอบตาราง") + len("ทดสอบตาราง")
    stop = page_text.index("จึงเรียน")
    checked = 0
    for k in range(start, stop):
        ch = tp.get_text_range(k, 1)
        if not ch.strip():
            continue
        left, _bottom, right, _top = tp.get_charbox(k)
        checked += 1
        for x in borders:
            assert not (left < x - 0.5 and right > x + 0.5), (ch, left, right, x)
    doc.close()
    assert checked > sum(len(w) for w in words)


# --- shaping, by ink ------------------------------------------------------------


def _ink_pdf(text: str) -> bytes:
    html = (
        f"<html lang='th'><head><style>{pdf_render.fonts.font_face_css()} body {{ font-family: sarabun; font-size: 96pt; }}</style>"
        f"</head><body><p>{text}</p></body></html>"
    )
    return pdf_render.html_to_pdf(html, [], dt.datetime(2024, 1, 1, tzinfo=dt.UTC))


def _bitmap(pdf: bytes):
    doc = pdfium.PdfDocument(pdf)
    img = doc[0].render(scale=1).to_pil().convert("L")
    doc.close()
    box = ImageChops.invert(img).getbbox()
    img = img.crop(box)
    return img, [[px < 128 for px in row] for row in _rows(img)]


def _rows(img):
    w, h = img.size
    data = list(img.get_flattened_data())
    return [data[y * w:(y + 1) * w] for y in range(h)]


def _components(grid, rows: int) -> int:
    """Connected components of ink in the top ``rows`` rows."""
    h, w = min(rows, len(grid)), len(grid[0])
    seen = [[False] * w for _ in range(h)]
    count = 0
    for y in range(h):
        for x in range(w):
            if grid[y][x] and not seen[y][x]:
                count += 1
                stack = [(y, x)]
                seen[y][x] = True
                while stack:
                    cy, cx = stack.pop()
                    for ny, nx in ((cy + 1, cx), (cy - 1, cx), (cy, cx + 1), (cy, cx - 1)):
                        if 0 <= ny < h and 0 <= nx < w and grid[ny][nx] and not seen[ny][nx]:
                            seen[ny][nx] = True
                            stack.append((ny, nx))
    return count


def _top_of_ink(pdf: bytes) -> tuple[int, int]:
    """(topmost dark row relative to the baseline box, height of the ink box)."""
    doc = pdfium.PdfDocument(pdf)
    img = doc[0].render(scale=1).to_pil().convert("L")
    doc.close()
    box = ImageChops.invert(img).getbbox()
    return box[1], box[3]


def test_shaping_raises_the_tone_mark_above_the_vowel():
    top_plain, bottom_plain = _top_of_ink(_ink_pdf("ที"))
    top_tone, bottom_tone = _top_of_ink(_ink_pdf("ที่"))
    assert bottom_plain == bottom_tone  # same baseline
    # the tone mark sits above sara ii: ink reaches clearly higher
    assert top_tone < top_plain - 8, (top_tone, top_plain)
    # ... as two separate shapes above the consonant
    _img, grid = _bitmap(_ink_pdf("ที่"))
    _img_plain, grid_plain = _bitmap(_ink_pdf("ที"))
    above = len(grid) - len(grid_plain) + int(len(grid_plain) * 0.35)
    assert _components(grid, above) >= 2


def test_without_shaping_the_tone_mark_collides():
    """The measure above tells the two apart: without the Thai layers it fails."""
    with thai_layers(False):
        top_plain, _ = _top_of_ink(_ink_pdf("ที"))
        top_tone, _ = _top_of_ink(_ink_pdf("ที่"))
    assert top_tone >= top_plain - 8


# --- line breaking --------------------------------------------------------------

LONG_PARAGRAPHS = [
    ORIGINAL,
    FACTS,
    PROPOSAL,
    (
    "ญี่ปุ่นเป็นประเทศที่มีเทคโนโลยีสารสนเทศก้าวหน้าและมีการพัฒนาโครงสร้างพื้นฐานด้านดิจิทัลอย่างต่อเนื่อง"
    "ทำให้หน่วยงานภาครัฐสามารถให้บริการประชาชนผ่านระบบอิเล็กทรอนิกส์ได้อย่างมีประสิทธิภาพ"
    "ซึ่งองค์กรปกครองส่วนท้องถิ่นของไทยควรศึกษาแนวทางดังกล่าวเพื่อนำมาปรับใช้ให้เหมาะสมกับบริบทของพื้นที่"
    ),
    (
    "การประชุมคณะกรรมการพัฒนาท้องถิ่นครั้งที่สองได้พิจารณาร่างแผนพัฒนาท้องถิ่นและเห็นชอบให้เสนอผู้บริหาร"
    "ท้องถิ่นพิจารณาอนุมัติและประกาศใช้ต่อไปโดยให้ทุกส่วนราชการจัดทำโครงการให้สอดคล้องกับยุทธศาสตร์"
    ),
]


def _word_boundaries(paragraph: str) -> set[int]:
    from pythainlp.tokenize import word_tokenize

    out, pos = set(), 0
    for token in word_tokenize(paragraph, engine="newmm", keep_whitespace=True):
        pos += len(token)
        out.add(pos)
    return out


@pytest.fixture(scope="module")
def paragraphs_pdf() -> bytes:
    memo = reference_memo()
    memo["sections"] = [{"title": f"ย่อหน้า {i}", "body": p} for i, p in enumerate(LONG_PARAGRAPHS)]
    memo["steps"] = []
    return render_memo_pdf(memo)


def test_lines_break_between_words(paragraphs_pdf):
    text = full_text(paragraphs_pdf)
    for paragraph in LONG_PARAGRAPHS:
        m = flexible(paragraph).search(text)
        assert m, paragraph[:30]
        printed = m.group(0)
        boundaries = _word_boundaries(paragraph)
        # walk the printed text along the paragraph, noting where lines end
        pos = 0
        breaks = 0
        i = 0
        while i < len(printed) and pos < len(paragraph):
            if printed[i] in "\r\n":
                j = i
                while j < len(printed) and printed[j] in "\r\n":
                    j += 1
                if pos < len(paragraph) and paragraph[pos] == " ":
                    pos += 1  # the line ended in place of a space
                else:
                    assert pos in boundaries, (paragraph[max(0, pos - 10):pos], paragraph[pos:pos + 10])
                    assert paragraph[pos] not in NO_BREAK_BEFORE
                    assert paragraph[pos - 1] not in NO_BREAK_AFTER
                breaks += 1
                i = j
                continue
            assert printed[i] == paragraph[pos]
            pos += 1
            i += 1
        assert pos == len(paragraph)
        assert breaks >= 1


def test_paragraph_split_across_pages_extracts_exactly():
    memo = reference_memo()
    long = f"{ORIGINAL} {FACTS} {PROPOSAL}"
    memo["sections"] = [{"title": "ยาว", "body": long + "\n" + long}]
    memo["steps"] = []
    pdf = render_memo_pdf(memo)
    pages = page_texts(pdf)
    assert len(pages) >= 2
    # drop the page-number header of page 2 and join the pages as lines
    second = pages[1].split("\r\n", 1)[1]
    text = pages[0] + "\r\n" + second
    assert flexible(long).search(text)
    assert "\u200b" not in text


# --- golden image ---------------------------------------------------------------


def _page1_image(pdf: bytes) -> Image.Image:
    doc = pdfium.PdfDocument(pdf)
    img = doc[0].render(scale=50 / 72).to_pil().convert("L")
    doc.close()
    return img


def test_golden_first_page(blank_pdf):
    img = _page1_image(blank_pdf)
    golden = Image.open(GOLDEN).convert("L")
    assert img.size == golden.size
    diff = ImageChops.difference(img, golden)
    mean = ImageStat.Stat(diff).mean[0]
    changed = sum(1 for px in diff.get_flattened_data() if px > 64) / (img.size[0] * img.size[1])
    assert mean < 2.0 and changed < 0.01, (mean, changed)


def write_golden() -> None:  # pragma: no cover - run by hand after a reviewed change
    img = _page1_image(render_memo_pdf(reference_memo(signed=False)))
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    GOLDEN.write_bytes(buf.getvalue())


def test_subject_constant():
    assert SUBJECT.startswith("รายงานผล")


# --- signing blocks stay whole ------------------------------------------------------


def _block_spans(pdf: bytes, memo: dict) -> dict[str, str]:
    """Each signing block's text, from its first line to its last, with "\\f" where a page ends."""
    pages = page_texts(pdf)
    body = [pages[0]] + [page.split("\r\n", 1)[1] for page in pages[1:]]
    text = "\f".join(body)
    spans = {}
    start = flexible(memo["closing"]).search(text)
    end = flexible(f"({memo['author']['full_name']})\r\n{memo['author']['position']}").search(text, start.end())
    spans["author"] = text[start.start():end.end()]
    for step in memo["steps"]:
        start = flexible(step["title"]).search(text)
        assert start, step["title"]
        day = step["signed_at"]
        date = f"{thai_digits(str(day.day))} พฤษภาคม {thai_digits(str(day.year + 543))}"
        end = flexible(date).search(text, start.end())
        assert end, date
        span = text[start.start():end.end()]
        for piece in (step["decision_label"], step["comment"], f"({step['signer']['full_name']})",
                      step["signer"]["position"], step["acting"]):
            if piece:
                for line in piece.splitlines():
                    assert flexible(line.strip()).search(span.replace("\f", "\r\n")), (step["title"], line)
        spans[step["title"]] = span
    return spans


@pytest.mark.parametrize("extra_lines", [0, 2, 4, 8])
def test_signing_blocks_never_split_across_pages(extra_lines):
    """
    A longer opinion pushes the blocks below it down the page.  With one
    section and no table the mayor's order starts at the foot of page 2 for
    0-4 extra lines (before the fix its heading and "ทราบ" printed there and
    the rest on page 3), and the deputy's opinion does for 8.
    """
    memo = reference_memo(signed=True, table=False)
    memo["sections"] = memo["sections"][:2]
    memo["steps"][1]["comment"] += "".join(f"\nข้อ {i + 1} ให้ถือปฏิบัติ" for i in range(extra_lines))
    pdf = render_memo_pdf(memo)
    assert len(page_texts(pdf)) >= 3
    for name, span in _block_spans(pdf, memo).items():
        assert "\f" not in span, (name, span)


def test_page_numbers_centred_over_the_text(signed_pdf):
    """
    "- ๒ -" is drawn in Thai digits but written (by xhtml2pdf) in Arabic ones:
    measured with the Arabic digits' widths it sat ~1 pt right of centre.
    Its ink is centred between the 3 cm left and 2 cm right margins.
    """
    doc = pdfium.PdfDocument(signed_pdf)
    try:
        assert len(doc) >= 3
        for i in range(1, len(doc)):
            tp = doc[i].get_textpage()
            first = tp.get_text_range(0, 5)
            assert re.fullmatch(r"- [๐-๙] -", first), first
            left = tp.get_charbox(0)[0]
            right = tp.get_charbox(4)[2]
            assert abs((left + right) / 2 - (3 * CM + (21 - 2) * CM) / 2) < 0.25, (i, left, right)
    finally:
        doc.close()


# --- dotted lines under the fields ----------------------------------------------------


def _value_lines(tp, label: str, stop: str) -> list[tuple[float, float]]:
    """(left, bottom) of each printed line of the value after ``label``: the
    leftmost character and the median of the characters' loose bottoms (one
    glyph's box may reach a few points lower)."""
    text = tp.get_text_range()
    start = text.index(label) + len(label)
    end = text.index(stop, start)
    value_left = tp.get_charbox(start - 1)[2] + 2
    lines: list[tuple[list[float], list[float]]] = []
    for k in range(start, end):
        if not tp.get_text_range(k, 1).strip():
            continue
        left, bottom, _right, _top = tp.get_charbox(k, loose=True)
        if left < value_left:
            continue
        for lefts, bottoms in lines:
            if abs(statistics.median(bottoms) - bottom) < 8:
                lefts.append(left)
                bottoms.append(bottom)
                break
        else:
            lines.append(([left], [bottom]))
    return [(min(lefts), statistics.median(bottoms)) for lefts, bottoms in lines]


def test_every_line_of_a_field_value_sits_on_a_dotted_line():
    memo = reference_memo()
    memo["department"] = "กองการศึกษา ศาสนาและวัฒนธรรม " + memo["department"] + " อำเภอชะอวด จังหวัดนครศรีธรรมราช"
    memo["subject"] = SUBJECT + " และแผนการดำเนินงานประจำปีงบประมาณ พ.ศ. ๒๕๖๘ ของทุกส่วนราชการในองค์การบริหารส่วนตำบลขอนหาด"
    pdf = render_memo_pdf(memo)
    text = full_text(pdf)
    for field in (memo["department"], memo["subject"]):
        assert flexible(field).search(text), field
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        tp = page.get_textpage()
        rules = [obj.get_bounds() for obj in page.get_objects() if obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH]
        rules = [(left, top) for left, bottom, right, top in rules
                 if top - bottom < 3 and right >= page.get_width() - 2 * CM - 1]
        for label, stop, count in (("ส่วนราชการ", "ที่", 3), ("เรื่อง", "เรียน", 3)):
            lines = _value_lines(tp, label, stop)
            assert len(lines) >= count, (label, lines)
            under = set()
            for left, bottom in lines:
                # a rule from the value's start to the right margin just below the line
                # (a lower vowel may take a line's loose box a few points lower)
                mine = [top for rl, top in rules if rl <= left + 1 and bottom - 10 <= top <= bottom + 4]
                assert len(mine) == 1, (label, left, bottom, rules)
                under.add(mine[0])
            assert len(under) == len(lines)
    finally:
        doc.close()
