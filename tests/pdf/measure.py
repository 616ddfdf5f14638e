"""Typesetting figures of a rendered PDF, read from pdfium's glyph boxes.

What a Thai reader notices first on a printed memo: gaps inside a line
where the writer typed none (rivers), glyphs past the margin or over a
neighbouring table cell, and a paragraph's last line holding a single word.
:func:`measure` gives those figures for a PDF; ``bench/typeset.py`` prints
them for a set of hard memos and the tests assert them on their own.

pdfium gives each character of an ``/ActualText`` span a share of the
span's box, not its glyph's box, so :func:`glyph_boxes` measures a render
made with the spans left out (:func:`without_actual_text`): the same glyphs
at the same places, each with its own box.

- A *line* is the glyphs on one baseline, in text order, cut where the font
  size changes (a 20 pt label beside its 16 pt value) and where a vertical
  rule stands between two glyphs (a table cell's border).
- A *gap* is the white between a glyph and the rightmost ink before it on
  its line; it is *at a space* when a space character stands between them.
"""

from __future__ import annotations

import contextlib
import ctypes
import re
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

MM = 72 / 25.4
CM = 72 / 2.54
#: Targets: the widest gap inside a line, outside and at a real space.
MAX_GAP = 3 * MM
MAX_SPACE_GAP = 4 * MM
#: Page margins (left, right) of the portrait and landscape page templates.
PORTRAIT_MARGINS = (3 * CM, 2 * CM)
LANDSCAPE_MARGINS = (1.5 * CM, 1.5 * CM)

_SPAN = re.compile(r"/Span <</ActualText <[0-9A-F]*>>> BDC (.*?) EMC", re.DOTALL)


@contextlib.contextmanager
def without_actual_text():
    """Renders inside draw their shaped text without the ``/ActualText``
    wrappers (for measuring only: the glyphs and their places are the same)."""
    from approval.pdf.thai import shaping

    cls = shaping.ThaiTextObject
    saved = {name: cls.__dict__[name] for name in ("_tj", "_fallback", "_formatText")}

    def strip(method):
        def stripped(self, *args, **kwargs):
            return _SPAN.sub(r"\1", method(self, *args, **kwargs))

        return stripped

    def nbsp_as_space(method):
        # pdfium reads a no-break space as a space it made up itself (not a
        # character of the text); drawn as a space it counts as a real one.
        def formatted(self, text):
            if isinstance(text, str):
                text = text.replace("\u00a0", " ")
            return method(self, text)

        return formatted

    cls._tj, cls._fallback = strip(saved["_tj"]), strip(saved["_fallback"])
    cls._formatText = nbsp_as_space(saved["_formatText"])
    try:
        yield
    finally:
        for name, method in saved.items():
            setattr(cls, name, method)


@dataclass
class Glyph:
    ch: str
    left: float
    bottom: float
    right: float
    top: float
    x: float
    y: float
    size: float


@dataclass
class Line:
    page: int
    glyphs: list[Glyph] = field(default_factory=list)
    #: (gap in points, at a space, glyph before, glyph after)
    gaps: list[tuple[float, bool, str, str]] = field(default_factory=list)
    text: str = ""

    @property
    def left(self) -> float:
        return min(g.left for g in self.glyphs)

    @property
    def right(self) -> float:
        return max(g.right for g in self.glyphs)

    @property
    def y(self) -> float:
        return self.glyphs[0].y

    @property
    def size(self) -> float:
        return self.glyphs[0].size


@dataclass
class Page:
    index: int
    width: float
    height: float
    lines: list[Line]
    rules: list[tuple[float, float, float]]  # vertical rules: (x, bottom, top)
    glyphs: list[Glyph]


def _rules(page) -> list[tuple[float, float, float]]:
    out = []
    for obj in page.get_objects(max_depth=3):
        if obj.type != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        left, bottom, right, top = obj.get_bounds()
        if right - left < 2.5 and top - bottom > 4:
            out.append(((left + right) / 2, bottom, top))
    return out


def _lone_spaces(page, textpage) -> list[tuple[float, float]]:
    """(x, y) of the text objects that draw only spaces (xhtml2pdf draws each
    no-break space by itself, and pdfium leaves such objects out of the text)."""
    out = []
    matrix = pdfium_c.FS_MATRIX()
    for obj in page.get_objects(max_depth=3):
        if obj.type != pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        size = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
        if size > 8:
            continue
        buffer = (ctypes.c_ushort * (size // 2 + 1))()
        pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, size)
        text = "".join(chr(c) for c in buffer if c)
        if text.strip(" \u00a0") == "" and pdfium_c.FPDFPageObj_GetMatrix(obj.raw, matrix):
            out.append((matrix.e, matrix.f))
    return out


def _rule_between(rules, x0: float, x1: float, y: float) -> bool:
    return any(x0 - 0.5 <= x <= x1 + 0.5 and b - 2 <= y <= t + 2 for x, b, t in rules)


def read_pages(pdf: bytes) -> list[Page]:
    doc = pdfium.PdfDocument(pdf)
    x, y = ctypes.c_double(), ctypes.c_double()
    pages = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            rules = _rules(page)
            lone = _lone_spaces(page, tp)
            glyphs: list[Glyph] = []
            lines: list[Line] = []
            line: Line | None = None
            space = False
            for k in range(tp.count_chars()):
                ch = tp.get_text_range(k, 1)
                generated = pdfium_c.FPDFText_IsGenerated(tp.raw, k) == 1
                if not ch.strip():
                    if ch in " \u00a0" and not generated:
                        space = True
                    if generated and ch in "\r\n":
                        line, space = None, False
                    continue
                pdfium_c.FPDFText_GetCharOrigin(tp.raw, k, ctypes.byref(x), ctypes.byref(y))
                size = round(pdfium_c.FPDFText_GetFontSize(tp.raw, k), 1)
                g = Glyph(ch, *tp.get_charbox(k), x.value, y.value, size)
                glyphs.append(g)
                ink = g.right - g.left > 0.05
                if (
                    line is None
                    or abs(line.y - g.y) > 1.0
                    or line.size != g.size
                    or (ink and g.x < line.glyphs[-1].x - 1.0)
                    or (ink and _rule_between(rules, line.right, g.left, g.y))
                ):
                    line = Line(i)
                    lines.append(line)
                    space = False
                if ink and line.glyphs:
                    reach = max(p.right for p in line.glyphs)
                    space = space or any(reach - 1 <= sx <= g.left + 1 and abs(sy - g.y) < 1 for sx, sy in lone)
                    line.gaps.append((g.left - reach, space, line.glyphs[-1].ch, ch))
                line.glyphs.append(g)
                line.text += (" " if space and line.text else "") + ch
                space = False
            pages.append(Page(i, page.get_width(), page.get_height(), lines, rules, glyphs))
    finally:
        doc.close()
    return pages


@dataclass
class Figures:
    widest_gap_mm: float = 0.0
    widest_space_gap_mm: float = 0.0
    lines_with_gaps: int = 0
    past_margin: int = 0
    over_cells: int = 0
    single_word_last_lines: int = 0
    #: (page, text, gap mm) of the lines over a target, the worst first.
    worst: list[tuple[int, str, float]] = field(default_factory=list)
    widows: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)


def _words(text: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize

    return [w for w in word_tokenize(text.replace(" ", " "), engine="newmm", keep_whitespace=False)
            if re.search(r"[\w\u0e01-\u0e5b]", w)]


def _is_last_line(line: Line, lines: list[Line]) -> Line | None:
    """The full line just above ``line`` when ``line`` ends a paragraph of several lines."""
    lead = 1.6 * line.size
    above = [o for o in lines if o is not line and o.size == line.size and 0.9 * line.size < o.y - line.y < lead
             and o.left < line.right and line.left < o.right]
    below = [o for o in lines if o is not line and o.size == line.size and 0.9 * line.size < line.y - o.y < lead
             and o.left < line.right + 30 and line.left < o.right and abs(o.left - line.left) < 20]
    if not above or below:
        return None
    return above[0]


def measure(pdf: bytes) -> Figures:
    """The typesetting figures of ``pdf`` (rendered :func:`without_actual_text`)."""
    fig = Figures()
    for page in read_pages(pdf):
        left_margin, right_margin = LANDSCAPE_MARGINS if page.width > page.height else PORTRAIT_MARGINS
        for g in page.glyphs:
            # (a leading vowel's ink may reach half a millimetre left of its origin)
            if g.right > page.width - right_margin + 1.0 or g.left < left_margin - 1.5:
                fig.past_margin += 1
                fig.overflow.append(f"p{page.index + 1} past the margin: {g.ch!r} at {g.left:.1f}-{g.right:.1f}")
            for x, b, t in page.rules:
                if g.left < x - 0.6 and g.right > x + 0.6 and b - 1 <= (g.bottom + g.top) / 2 <= t + 1:
                    fig.over_cells += 1
                    fig.overflow.append(f"p{page.index + 1} over a cell border: {g.ch!r} at {g.left:.1f}-{g.right:.1f}")
        for line in page.lines:
            worst = 0.0
            for gap, at_space, _a, _b in line.gaps:
                if at_space:
                    fig.widest_space_gap_mm = max(fig.widest_space_gap_mm, gap / MM)
                    if gap > MAX_SPACE_GAP:
                        worst = max(worst, gap)
                else:
                    fig.widest_gap_mm = max(fig.widest_gap_mm, gap / MM)
                    if gap > MAX_GAP:
                        worst = max(worst, gap)
            if worst:
                fig.lines_with_gaps += 1
                fig.worst.append((page.index + 1, line.text, worst / MM))
            above = _is_last_line(line, page.lines)
            column = page.width - left_margin - right_margin
            # a paragraph's last line under a full line of the text column
            # (not a table cell under the cell above it)
            if (
                above is not None
                and above.right - above.left > 0.6 * column
                and above.right > page.width - right_margin - 0.08 * column
                and len(_words(line.text)) == 1
            ):
                fig.single_word_last_lines += 1
                fig.widows.append(f"p{page.index + 1}: {above.text[-20:]} / {line.text}")
    fig.worst.sort(key=lambda t: -t[2])
    return fig
