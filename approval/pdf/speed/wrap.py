"""Speed: measuring table cells once (the same layout, sooner)."""

from __future__ import annotations

from reportlab.platypus import flowables as rl_flowables
from reportlab.rl_settings import _FUZZ
from xhtml2pdf import reportlab_paragraph as rp

from ..registry import ORIGINALS, patch

LIST_WRAP_ON = "reportlab.platypus.flowables:_listWrapOn"
KIF_WRAP = "xhtml2pdf.xhtml2pdf_reportlab:PmlKeepInFrame.wrap"
BROKEN_LINES = "xhtml2pdf.reportlab_paragraph:Paragraph._brokenLines"


def _plain(f) -> bool:
    return isinstance(f, rp.Paragraph) and not hasattr(f, "frameAction")


@patch(LIST_WRAP_ON, layer="speed", original_sha256="10601bdeb5573ccb",
       why="ReportLab deep-copies the frame each time it measures a table cell's paragraphs")
def _listWrapOn(F, availWidth, canv, mergeSpace=1, obj=None, dims=None, fakeWidth=None):
    """
    ReportLab's ``_listWrapOn`` deep-copies the document's current frame
    every time it measures a list of flowables -- once per table cell per
    wrap, thousands of times for the plan report -- so that what the
    flowables generate while they wrap (a FrameBreak...) lands in the copy.
    Paragraphs generate nothing: for a list of them the frame is left alone
    and the measurement is the same.
    """
    doct = getattr(canv, "_doctemplate", None)
    if doct is None or getattr(doct, "frame", None) is None or not all(map(_plain, F)):
        return ORIGINALS[LIST_WRAP_ON](F, availWidth, canv, mergeSpace, obj, dims, fakeWidth)
    frame = doct.frame
    doct.frame = None  # the original then skips its copy
    try:
        return ORIGINALS[LIST_WRAP_ON](F, availWidth, canv, mergeSpace, obj, dims, fakeWidth)
    finally:
        doct.frame = frame


def _kif_key(self, width):
    """What a cell's content measures at ``width`` depends on, or None."""
    parts = []
    for p in self._content:
        if not _plain(p):
            return None
        for f in p.frags:
            if getattr(getattr(f, "text", None), "resolve", None) is not None:
                return None  # a page number: its text changes as it is laid out
        parts.append((id(p), id(p.__dict__.get("_brokenLinesCache"))))
    return (width, self.fakeWidth, tuple(parts))


@patch(KIF_WRAP, layer="speed", original_sha256="2cbc8cc085ac4def",
       why="a table cell measured its paragraphs again at the same width for every wrap, split and draw")
def _kifWrap(self, availWidth, availHeight):
    """
    A table cell (xhtml2pdf's PmlKeepInFrame) measures its paragraphs again
    every time the table is wrapped, split or drawn, each time at the same
    width but with another height on offer (what is left of the frame, the
    row's height).  The height only matters when the content does not fit
    it.  So the content's size at a width is kept, with the paragraphs'
    line-breaking caches it came from (a paragraph wrapped at another width
    since has another cache object, and the cell measures again), and when
    it fits, the cell's size is what KeepInFrame.wrap would make of it.
    Content that does not fit goes to KeepInFrame.wrap as before.
    """
    availWidth = max(availWidth, 1.0)
    availHeight = max(availHeight, 1.0)
    self.maxWidth = availWidth
    self.maxHeight = self.setMaxHeight(availHeight)
    maxWidth = float(min(self.maxWidth or availWidth, availWidth))
    maxHeight = float(min(self.maxHeight or availHeight, availHeight))
    key = _kif_key(self, maxWidth)
    if key is None:
        return ORIGINALS[KIF_WRAP](self, availWidth, availHeight)
    cached = self.__dict__.get("_thaiWrapCache")
    if cached is not None and cached[0] == key:
        W, H = cached[1]
    else:
        W, H = rl_flowables._listWrapOn(self._content, maxWidth, self.canv, fakeWidth=self.fakeWidth)
        self._thaiWrapCache = (_kif_key(self, maxWidth), (W, H))
    if W <= maxWidth + _FUZZ and H <= maxHeight + _FUZZ:
        self.width = W - _FUZZ
        self.height = H - _FUZZ
        return self.width, self.height
    return ORIGINALS[KIF_WRAP](self, availWidth, availHeight)


@patch(BROKEN_LINES, layer="speed", original_sha256="a5031b4de235ad80",
       why="a cell's paragraphs broke their lines again for a width a millionth of a point off")
def _brokenLinesNear(self, first_line_width, later_widths):
    """
    A table cell is drawn through KeepInFrame, which lays its paragraphs out
    again at the cell's measured width -- the width on offer less ReportLab's
    _FUZZ (1e-6 pt) -- so each paragraph broke its lines a second time, for
    a width that differs by a millionth of a point (the breaker itself
    allows _FUZZ either way).  Widths within 2 * _FUZZ of the remembered
    ones take the remembered lines.
    """
    cached = self.__dict__.get("_brokenLinesCache")
    if cached is not None:
        w1, w2 = cached[0][0], cached[0][1]
        if (w1 != first_line_width or w2 != later_widths) and (
            abs(w1 - first_line_width) <= 2 * _FUZZ and abs(w2 - later_widths) <= 2 * _FUZZ
        ):
            first_line_width, later_widths = w1, w2
    return ORIGINALS[BROKEN_LINES](self, first_line_width, later_widths)

