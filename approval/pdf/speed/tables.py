"""Speed: tables and boxes (the same page, sooner).

11. Grid tables laid out from their markup (:mod:`approval.pdf.grid`), and
    fewer table style commands.
12. No empty graphics state per paragraph.
"""

from __future__ import annotations

from xhtml2pdf import tables as xtables  # noqa: F401  (the patched module)
from xhtml2pdf import util as xutil

from .. import grid
from ..registry import ORIGINALS, patch

TABLE_START = "xhtml2pdf.tables:pisaTagTABLE.start"
TABLE_END = "xhtml2pdf.tables:pisaTagTABLE.end"
CELL_STYLES = "xhtml2pdf.tables:TableData.add_cell_styles"
BOX_BORDERS = "xhtml2pdf.xhtml2pdf_reportlab:drawBoxBorders"

#: only their order among commands of the same name matters.
_CELL_ATTR_OPS = frozenset({"LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING", "VALIGN"})
_LINE_OPS = frozenset({"LINEABOVE", "LINEBELOW", "LINEBEFORE", "LINEAFTER"})


def _cell_range(cmd):
    """(c0, r0, c1, r1) for a command with plain non-negative cell indices."""
    try:
        (c0, r0), (c1, r1) = cmd[1], cmd[2]
    except (TypeError, ValueError, IndexError):
        return None
    if not all(type(v) is int and v >= 0 for v in (c0, r0, c1, r1)) or c0 > c1 or r0 > r1:
        return None
    return c0, r0, c1, r1


def _merge_attr_cmds(cmds):
    """Same-name cell-style commands that follow each other and cover
    neighbouring cells with the same value, as one command."""
    out = []
    last = {}  # op -> (index in out, its cell range) of the last command with that name
    for cmd in cmds:
        op = cmd[0]
        if op not in _CELL_ATTR_OPS:
            out.append(cmd)
            continue
        rng = _cell_range(cmd)
        prev = last.get(op)
        if rng is not None and prev is not None and prev[1] is not None:
            k, (pc0, pr0, pc1, pr1) = prev
            c0, r0, c1, r1 = rng
            if out[k][3:] == cmd[3:] and (
                ((pr0, pr1) == (r0, r1) and c0 == pc1 + 1) or ((pc0, pc1) == (c0, c1) and r0 == pr1 + 1)
            ):
                out[k] = (op, (pc0, pr0), (c1, r1), *cmd[3:])
                last[op] = (k, (pc0, pr0, c1, r1))
                continue
        last[op] = (len(out), rng)
        out.append(cmd)
    return out


def _merge_line_cmds(cmds):
    """
    When every border of the table is drawn alike (the same width, colour,
    cap and dashes), the order of its LINE* commands makes no difference to
    the page, and the per-cell lines are joined: LINEABOVE/LINEBELOW along
    a row, LINEBEFORE/LINEAFTER down a column (those are the only directions
    ReportLab draws them in).  Otherwise the commands are left alone.
    """
    lines = [c for c in cmds if c[0] in _LINE_OPS]
    if not lines or any(c[3:] != lines[0][3:] for c in lines):
        return cmds
    args = lines[0][3:]
    keep, groups = [], {}
    for cmd in lines:
        rng = _cell_range(cmd)
        op = cmd[0]
        if rng is None:
            keep.append(cmd)
            continue
        c0, r0, c1, r1 = rng
        if op in {"LINEABOVE", "LINEBELOW"}:
            y = r0 if op == "LINEABOVE" else r1
            groups.setdefault((op, y), []).append((c0, c1))
        else:
            x = c0 if op == "LINEBEFORE" else c1
            groups.setdefault((op, x), []).append((r0, r1))
    merged = []
    for (op, at), spans in groups.items():
        spans.sort()
        runs = []
        for a, b in spans:
            if runs and a <= runs[-1][1] + 1:
                runs[-1][1] = max(runs[-1][1], b)
            else:
                runs.append([a, b])
        for a, b in runs:
            if op in {"LINEABOVE", "LINEBELOW"}:
                merged.append((op, (a, at), (b, at), *args))
            else:
                merged.append((op, (at, a), (at, b), *args))
    others = [c for c in cmds if c[0] not in _LINE_OPS]
    return others + keep + merged


_CELL_SIDES = (("LINEABOVE", "Top"), ("LINEBEFORE", "Left"), ("LINEAFTER", "Right"), ("LINEBELOW", "Bottom"))
_RADIUS_ATTRS = tuple(f"border{k}Radius" for k in xutil.RADIUS_CORNERS)


@patch(CELL_STYLES, layer="speed", original_sha256="4e80c741d7c21b6e",
       why="xhtml2pdf makes a rounded-box style for every cell, rounded or not, and copies each command")
def _add_cell_styles(self, c, begin, end, mode="td"):
    """xhtml2pdf's TableData.add_cell_styles without a BoxStyle per cell when
    the frag has no border radius (roundedBox would return None for it), and
    without copying the (immutable) tuples: the same commands, same order."""
    frag = c.frag
    no_radius = xutil.NO_RADIUS
    for name in _RADIUS_ATTRS:
        d = getattr(frag, name, None)
        if d is not None and d is not no_radius:
            return ORIGINALS[CELL_STYLES](self, c, begin, end, mode)
    self.mode = mode.upper()
    styles = self.styles
    if frag.backColor and mode != "tr":
        styles.append(("BACKGROUND", begin, end, frag.backColor))
    b0, b1 = begin
    e0, e1 = end
    ends = {
        "Top": (begin, (e0, b1)),
        "Left": (begin, (b0, e1)),
        "Right": ((e0, b1), end),
        "Bottom": ((b0, e1), end),
    }
    getBorderStyle = xutil.getBorderStyle
    for op, side in _CELL_SIDES:
        style = getattr(frag, f"border{side}Style")
        width = getattr(frag, f"border{side}Width")
        color = getattr(frag, f"border{side}Color")
        if not (getBorderStyle(style) and width and color is not None):
            continue
        weight, cap, dashes, join, count, space = xutil.getBorderTableLine(style, width)
        lb, le = ends[side]
        if dashes or count > 1:
            styles.append((op, lb, le, weight, color, cap, dashes, join, count, space))
        else:
            styles.append((op, lb, le, weight, color, cap))
    padding = self.padding
    styles.append(("LEFTPADDING", begin, end, frag.paddingLeft or padding))
    styles.append(("RIGHTPADDING", begin, end, frag.paddingRight or padding))
    styles.append(("TOPPADDING", begin, end, frag.paddingTop or padding))
    styles.append(("BOTTOMPADDING", begin, end, frag.paddingBottom or padding))
    return False


@patch(TABLE_START, layer="speed", original_sha256="e8544cfa9ca2aa55",
       why="a data-pdf=grid table is laid out by approval.pdf.grid, not cell by cell through the CSS machinery")
def _tableStart(self, c):
    if self.node.getAttribute(grid.MARK[0]) == grid.MARK[1]:
        # Laid out here from the markup; the cells are not visited.
        c.addPara()
        self._grid = grid.table_for(self.node)
        for child in list(self.node.childNodes):
            self.node.removeChild(child)
        return None
    return ORIGINALS[TABLE_START](self, c)


@patch(TABLE_END, layer="speed", original_sha256="a7e2644923c43256",
       why="adds the grid table to the story, and merges a big table's per-cell style commands")
def _tableEnd(self, c):
    table = getattr(self, "_grid", None)
    if table is not None:
        c.addStory(table)
        return None
    tdata = getattr(c, "tableData", None)
    if tdata is not None and len(tdata.styles) > 16:
        tdata.styles = _merge_line_cmds(_merge_attr_cmds(tdata.styles))
    return ORIGINALS[TABLE_END](self, c)


# ---------------------------------------------------------------------------
# 12. Speed: no empty graphics state per paragraph


@patch(BOX_BORDERS, layer="speed", original_sha256="5935298953ff6a34",
       why="xhtml2pdf writes an empty q Q into the page for every paragraph without borders")
def _drawBoxBorders(canvas, x, y, w, h, style, sides=xutil._BOX_SIDES):
    """
    xhtml2pdf strokes a paragraph's borders inside saveState/restoreState
    even when it has none -- every paragraph of every table cell wrote an
    empty ``q Q`` into the page.  With no side that strokes (drawBorderLine's
    own test) and no rounded corners, nothing is drawn at all.
    """
    text_color = getattr(style, "textColor", None)
    for side in sides:
        color = getattr(style, f"border{side}Color", None)
        if color is None:
            color = text_color
        if (getattr(style, f"border{side}Width", 0) and xutil.getBorderStyle(getattr(style, f"border{side}Style", None))
                and color is not None):
            break
    else:
        if xutil.roundedBox(style, x, y, w, h, sides) is None:
            return None
    return ORIGINALS[BOX_BORDERS](canvas, x, y, w, h, style, sides)

