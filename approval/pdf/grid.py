"""Plain data tables laid out straight from their markup.

xhtml2pdf gives every table cell the whole HTML treatment: a CSS cascade, a
fragment, a paragraph style, a keep-in-frame wrapper and a dozen ReportLab
style commands (four borders, four paddings, alignment, background).  For
the plan report's tables, about 700 cells of plain text, that was three
quarters of the time it took to print the memo.

A ``<table data-pdf="grid">`` is read here instead: its rows, the cells'
text, ``colspan``/``rowspan``, the ``width`` of the columns, ``repeat`` (the
header rows repeated on every page) and the cells' classes.  It becomes one
ReportLab ``Table`` with one paragraph per cell and a handful of table-wide
commands (a 0.5 pt grid, the shaded header, paddings).  The paragraphs are
xhtml2pdf's own, so the Thai line breaking and shaping of :mod:`.thai`
apply to them as to any other text.

What a grid table may hold is deliberately small: text in its cells (any
markup inside a cell is read for its text only).  The look of each kind of
cell is :func:`_cell_kind` and the constants below, the one place it is
defined for the PDF.  The template's CSS for the same classes says the same
for any other renderer (a browser, or xhtml2pdf with the Thai layers off).
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import re
from dataclasses import dataclass, field
from functools import cache
from html import escape
from html.parser import HTMLParser

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.platypus.flowables import Flowable, Spacer
from reportlab.platypus.paraparser import ParaFrag
from reportlab.platypus.tables import Table, TableStyle
from xhtml2pdf.reportlab_paragraph import Paragraph

from .fonts import FAMILY

#: The attribute (and value) that asks for this treatment.
MARK = ("data-pdf", "grid")

FONT_SIZE = 11.0
#: xhtml2pdf's leading for ``line-height: 1.2``.
LEADING = FONT_SIZE * 1.2
LINE_WIDTH = 0.5
HEADER_BACKGROUND = colors.HexColor("#eeeeee")
#: (top, right, bottom, left) padding in points, as in the template's CSS.
HEADER_PADDING = (2.0, 2.0, 0.0, 2.0)
CELL_PADDING = (2.0, 3.0, 0.0, 3.0)


@dataclass(frozen=True)
class CellKind:
    bold: bool
    alignment: int


def _cell_kind(tag: str, classes: frozenset[str], row_classes: frozenset[str]) -> CellKind:
    """What the template's CSS gives a cell: ``th`` is a bold, centred,
    middle-aligned header; ``pr-num`` right-aligns, ``pr-c`` centres,
    ``pr-b`` (or a ``pr-total`` row) is bold."""
    header = tag == "th"
    if "pr-num" in classes:
        alignment = TA_RIGHT
    elif header or "pr-c" in classes:
        alignment = TA_CENTER
    else:
        alignment = TA_LEFT
    bold = header or "pr-b" in classes or "pr-total" in row_classes
    return CellKind(bold=bold, alignment=alignment)


@cache
def _style(alignment: int, bold: bool) -> ParagraphStyle:
    style = ParagraphStyle(
        f"grid-{alignment}-{int(bold)}",
        fontName=f"{FAMILY}_{int(bold)}0",
        fontSize=FONT_SIZE,
        leading=LEADING,
        alignment=alignment,
    )
    # What xhtml2pdf's paragraphs read off every style they draw with.
    style.letterSpacing = style.wordSpacing = "normal"
    style.textOverflow = None
    style.backgroundImage = None
    return style


@cache
def _frag(bold: bool, alignment: int) -> ParaFrag:
    f = ParaFrag()
    f.alignment = alignment
    f.leading = LEADING
    f.fontName = f"{FAMILY}_{int(bold)}0"
    f.fontSize = FONT_SIZE
    f.textColor = colors.black
    f.rise = 0
    f.greek = 0
    f.link = []
    f.us_lines = []
    f.bold = int(bold)
    f.italic = 0
    return f


def _paragraph(text: str, kind: CellKind) -> Paragraph:
    template = _frag(kind.bold, kind.alignment)
    frag = copy.copy(template)
    frag.text = text
    # An empty fragment closes the paragraph, as it closes every paragraph
    # xhtml2pdf makes: with a single fragment its Paragraph takes a "simple"
    # path that draws every line flush left whatever the alignment.
    end = copy.copy(template)
    end.text = ""
    para = Paragraph(text, _style(kind.alignment, kind.bold), frags=[frag, end])
    # As xhtml2pdf sets it on its paragraphs: a line is as tall as the
    # font's ascent and descent when that is more than the leading.
    para.autoLeading = "max"
    return para


#: White space, collapsed to one space as the paragraph's word splitting
#: (``str.split``) does -- all of it but the no-break space, which stays.
_SPACE = re.compile(r"[^\S\u00a0]+")


class Cell(Flowable):
    """A cell's text: drawn as one line when it fits the cell, as most of the
    report's cells (figures, marks, short names) do, and as the paragraph
    otherwise.

    The one line is what the paragraph would draw -- the same height, the
    same baseline and alignment, through the same shaping text object -- for
    a fraction of the work: no line breaking, no fragments, no graphics
    state per cell.
    """

    def __init__(self, text: str, kind: CellKind) -> None:
        super().__init__()
        self.text = text
        self.kind = kind
        self.font = f"{FAMILY}_{int(kind.bold)}0"
        self.text_width = stringWidth(text, self.font, FONT_SIZE)
        self._para = None
        self._line = False

    @property
    def para(self) -> Paragraph:
        """The paragraph, made the first time the text does not fit one line."""
        if self._para is None:
            self._para = _paragraph(self.text, self.kind)
        return self._para

    def _fits(self, availWidth: float) -> bool:
        return self.text_width <= availWidth + 1e-6

    def wrap(self, availWidth, availHeight):
        self._line = self._fits(availWidth)
        if self._line:
            self.width, self.height = availWidth, _line_height(self.font)
            return self.width, self.height
        self.width, self.height = self.para.wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth, availHeight):
        if self._fits(availWidth):
            return []  # one line: it cannot be split, as a one-line paragraph cannot
        return self.para.split(availWidth, availHeight)

    def draw(self):
        if not self._line:
            self.para.drawOn(self.canv, 0, 0)
            return
        ascent, _descent = getAscentDescent(self.font, FONT_SIZE)
        x = 0.0
        if self.kind.alignment == TA_RIGHT:
            x = self.width - self.text_width
        elif self.kind.alignment == TA_CENTER:
            x = (self.width - self.text_width) / 2
        text = self.canv.beginText(x, self.height - ascent)
        text.setFont(self.font, FONT_SIZE, LEADING)
        text.textOut(self.text)
        self.canv.drawText(text)


@cache
def _line_height(font: str) -> float:
    """A one-line paragraph's height (xhtml2pdf's autoLeading "max")."""
    ascent, descent = getAscentDescent(font, FONT_SIZE)
    return max(LEADING, ascent - descent)


@dataclass
class CellSpec:
    tag: str
    attrs: dict[str, str]
    row_classes: frozenset[str]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The cell's text with white space collapsed, as HTML shows it."""
        return _SPACE.sub(" ", "".join(self.parts)).strip(" ")


@dataclass
class TableSpec:
    attrs: dict[str, str]
    rows: list[list[CellSpec]]


class _Reader(HTMLParser):
    """Rows and cells of one table's markup (the standard library's parser:
    a grid table is plain, well-formed markup, and this is a fraction of
    html5lib's time)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.table: TableSpec | None = None
        self._row_classes: frozenset[str] | None = None
        self._cell: CellSpec | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "table" and self.table is None:
            self.table = TableSpec(attrs, [])
        elif tag == "tr" and self.table is not None:
            self.table.rows.append([])
            self._row_classes = frozenset(attrs.get("class", "").split())
            self._cell = None
        elif tag in {"td", "th"} and self.table is not None:
            if self._row_classes is None:  # a cell outside any row starts one
                self.handle_starttag("tr", [])
            self._cell = CellSpec(tag, attrs, self._row_classes)
            self.table.rows[-1].append(self._cell)

    def handle_endtag(self, tag):
        if tag in {"td", "th"}:
            self._cell = None
        elif tag == "tr":
            self._cell, self._row_classes = None, None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.parts.append(data)


def read_table(markup: str) -> TableSpec:
    """The rows and cells of a grid table's markup."""
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    return reader.table or TableSpec({}, [])


#: A grid table in a rendered page: its markup up to the first ``</table>``
#: (a grid table holds no table) -- or an HTML comment, matched first so that
#: a table mentioned in a comment is left there.
GRID_TABLE = re.compile(
    r"<!--.*?-->|<table\b(?=[^>]*\sdata-pdf=([\"']?)grid\1[\s/>])[^>]*>.*?</table\s*>", re.DOTALL
)

#: The tables cut out of the page being rendered (see :func:`cut_tables`).
_CUT: contextvars.ContextVar[list[TableSpec] | None] = contextvars.ContextVar("grid_tables", default=None)


@contextlib.contextmanager
def cut_tables(html: str):
    """Yield ``html`` with each grid table's rows cut out, read here instead.

    html5lib reads markup a character at a time in Python; the plan report's
    tables are two thirds of the page and were most of its time.  What is
    left in their place is the empty ``<table ... data-grid-ref="N">``, so
    the table's own CSS (its margins) still applies; :func:`table_for`
    gives its rows back.
    """
    specs: list[TableSpec] = []

    def cut(match: re.Match) -> str:
        if match.group(0).startswith("<!--"):
            return match.group(0)
        spec = read_table(match.group(0))
        specs.append(spec)
        return f'<table data-pdf="grid" data-grid-ref="{len(specs) - 1}"{_attr_text(spec.attrs)}></table>'

    token = _CUT.set(specs)
    try:
        yield GRID_TABLE.sub(cut, html)
    finally:
        _CUT.reset(token)


def _attr_text(attrs: dict[str, str]) -> str:
    keep = {k: v for k, v in attrs.items() if k not in {"data-pdf", "data-grid-ref"}}
    return "".join(f' {k}="{escape(v, quote=True)}"' for k, v in keep.items())


def table_for(node) -> Flowable:
    """The table for a ``<table data-pdf="grid">`` element of xhtml2pdf's DOM:
    from the rows cut out before parsing, or read from the element itself."""
    ref = node.getAttribute("data-grid-ref")
    specs = _CUT.get()
    if ref and specs is not None and ref.isdigit() and int(ref) < len(specs):
        return build_table(specs[int(ref)])
    return build_table(read_table(node.toxml()))


def _classes(attrs: dict[str, str]) -> frozenset[str]:
    return frozenset(attrs.get("class", "").split())


def _int_attr(attrs: dict[str, str], name: str) -> int:
    try:
        return max(1, int(attrs.get(name) or 1))
    except ValueError:
        return 1


def _percent(value: str) -> float | None:
    value = (value or "").strip()
    if value.endswith("%"):
        try:
            return float(value[:-1]) / 100
        except ValueError:
            return None
    return None


class GridTable(Table):
    """A table that moves a row that does not fit to the next page whole, and
    splits a row between its lines only when the row is taller than a whole
    page (a 500-character note in a narrow column).

    ReportLab's own ``splitInRow`` splits a row wherever the page ends, or,
    after splitting between rows, puts the rest (its header rows repeated)
    into what is left of the same page.
    """

    def split(self, availWidth, availHeight):
        self._calc(availWidth, availHeight)
        parts = self._splitRows(availHeight, doInRowSplit=False)
        if parts:
            return parts
        frame = getattr(getattr(getattr(self, "canv", None), "_doctemplate", None), "frame", None)
        if frame is not None and not getattr(frame, "_atTop", True):
            return []  # try again at the top of the next page
        return self._splitRows(availHeight, doInRowSplit=True)


#: The least share of the width a column without a declared width gets.
MIN_FREE_SHARE = 0.05


def build_table(spec: TableSpec) -> Flowable:
    """The ReportLab table for a grid table's rows and cells."""
    occupied: set[tuple[int, int]] = set()
    widths: dict[int, float] = {}
    spans: list[tuple[int, int, int, int]] = []
    header_cells: list[tuple[int, int, int, int]] = []
    ncols = 0
    placed: list[tuple[int, int, object]] = []
    for r, cells in enumerate(spec.rows):
        c = 0
        for cell in cells:
            while (r, c) in occupied:
                c += 1
            colspan, rowspan = _int_attr(cell.attrs, "colspan"), _int_attr(cell.attrs, "rowspan")
            kind = _cell_kind(cell.tag, _classes(cell.attrs), cell.row_classes)
            text = cell.text
            # An empty cell is left empty: nothing to measure or draw.
            placed.append((r, c, Cell(text, kind) if text else ""))
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied.add((r + dr, c + dc))
            if colspan > 1 or rowspan > 1:
                spans.append((c, r, c + colspan - 1, r + rowspan - 1))
            if cell.tag == "th":
                header_cells.append((c, r, c + colspan - 1, r + rowspan - 1))
            share = _percent(cell.attrs.get("width", ""))
            if share is not None and colspan == 1:
                widths[c] = share
            c += colspan
            ncols = max(ncols, c)
    nrows = max((r for r, _c in occupied), default=-1) + 1
    ncols = max([ncols] + [c + 1 for _r, c in occupied])
    grid = [[""] * ncols for _ in range(nrows)]
    for r, c, para in placed:
        grid[r][c] = para

    if not placed:
        return Spacer(0, 0)  # a table without a cell shows nothing (ReportLab refuses it)
    free = [c for c in range(ncols) if c not in widths]
    declared = sum(widths.values())
    room = 1.0 - MIN_FREE_SHARE * len(free)
    if declared > room:  # declared widths past 100 %: scaled down, the others still get some
        widths = {c: w * room / declared for c, w in widths.items()}
    rest = max(0.0, 1.0 - sum(widths.values()))
    col_widths = [f"{widths[c] * 100:g}%" if c in widths else f"{rest / len(free) * 100:g}%" for c in range(ncols)]

    commands = [
        ("GRID", (0, 0), (-1, -1), LINE_WIDTH, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING[0]),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING[1]),
        ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING[2]),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING[3]),
    ]
    for c0, r0, c1, r1 in header_cells:
        commands += [
            ("BACKGROUND", (c0, r0), (c1, r1), HEADER_BACKGROUND),
            ("VALIGN", (c0, r0), (c1, r1), "MIDDLE"),
            ("TOPPADDING", (c0, r0), (c1, r1), HEADER_PADDING[0]),
            ("RIGHTPADDING", (c0, r0), (c1, r1), HEADER_PADDING[1]),
            ("BOTTOMPADDING", (c0, r0), (c1, r1), HEADER_PADDING[2]),
            ("LEFTPADDING", (c0, r0), (c1, r1), HEADER_PADDING[3]),
        ]
    for c0, r0, c1, r1 in spans:
        commands.append(("SPAN", (c0, r0), (c1, r1)))

    try:
        repeat = max(0, int(spec.attrs.get("repeat") or 0))
    except ValueError:
        repeat = 0
    table = GridTable(grid, colWidths=col_widths, repeatRows=min(repeat, nrows), hAlign="LEFT", splitInRow=1)
    table.setStyle(TableStyle(commands))
    return table
