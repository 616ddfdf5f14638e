"""Thai typesetting for xhtml2pdf 0.2.28 on ReportLab 5.1 (both pinned).

xhtml2pdf knows nothing of Thai: it breaks lines only at spaces and draws
each character's default glyph, so long Thai phrases run off the page and
tone marks collide with upper vowels (ที่ prints like ที).  The patches here
fix both.  :func:`install` applies them once per process (idempotent); each
patched function looks at :data:`ENABLED` and, when it is off, hands over to
the original, which is how the benchmark measures the pipeline without them.

What is patched, and why:

1. ``MarkedCanvas.beginText`` (xhtml2pdf's canvas class) returns a
   :class:`ThaiTextObject`.  Every piece of text xhtml2pdf draws --
   paragraphs, table cells, static headers, page numbers, drawString -- goes
   through a text object's ``_formatText``, so shaping there covers it all,
   and at draw time: the line breaker measures unshaped text (marks have no
   advance, so widths are the same) and text fed back into a paragraph
   split across pages is never a shaped string.  Each shaped run is wrapped
   in a ``/Span <</ActualText ...>> BDC ... EMC`` marked-content sequence so
   text extraction and search give back the original characters.
2. ``ttfonts.makeToUnicodeCMap`` maps the private-use code points ReportLab
   gives to unencoded glyphs (Sarabun's raised tone marks...) back to the
   real characters, for extractors that ignore /ActualText.
3. ``reportlab_paragraph._getFragWords`` also cuts words at Thai word
   boundaries (PyThaiNLP, see :mod:`.thaibreak`) and at U+200B; a word that
   follows such a boundary is a :class:`Glued` word: a line may break before
   it, but no space stands between it and the previous word.
4. ``Paragraph.breakLines`` is xhtml2pdf's multi-fragment line breaker with
   glued words understood: no space width is counted before them, no space
   is put into the line's text (a U+200B marks the boundary instead, which
   the text object turns into justification space and never draws), and a
   glued word too wide for the line (a long compound in a narrow table
   cell) is cut between Thai character clusters.  Paragraphs without Thai
   keep the original code.
5. ``reportlab_paragraph._split_blParaHard`` (a paragraph split across
   pages) joins the lines of the part that moves on with a space only where
   the line broke at a space; a break between Thai words is kept as U+200B.
6. ``Paragraph.minWidth`` counts Thai words, not the whole run, so a table
   sizing its columns does not see a Thai sentence as one unbreakable word.
7. ``PmlBaseDoc._makeCanvas``: during :func:`rendering`, the PDF gets a
   fixed timestamp (the memo's creation date) and an invariant ID, so the
   same memo renders to the same bytes.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import gc
import importlib
import re
import threading
from functools import lru_cache
from hashlib import md5
from itertools import groupby
from string import whitespace

from reportlab import rl_config
from reportlab.lib import rl_accel
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import ShapedStr, shapeStr
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import flowables as rl_flowables
from reportlab.rl_settings import _FUZZ
from xhtml2pdf import parser as xparser
from xhtml2pdf import reportlab_paragraph as rp
from xhtml2pdf import tables as xtables
from xhtml2pdf import util as xutil
from xhtml2pdf import xhtml2pdf_reportlab as xr
from xhtml2pdf.builders.printmarks import MarkedCanvas

from . import fonts, grid, thaibreak
from .thaibreak import ZWSP

#: Whether the Thai layers are on (the benchmark turns them off).
ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("thai_pdf_enabled", default=True)
#: The creation date of the document being rendered, when it is a memo.
_RENDER_DATE: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "thai_pdf_render_date", default=None
)

_ORIGINAL: dict[str, object] = {}
_installed = False

#: Text that needs shaping: Thai letters and marks.
_COMPLEX = re.compile("[\u0e31-\u0e4e]")
_TO_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
# Like reportlab_paragraph._wsc_re_split, without U+200B: that is a break
# opportunity *without* a space, which patch 3 handles itself.
_WS_SPLIT = re.compile(
    "[{}]+".format(re.escape(
        "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
        " \x85\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
    ))
).split


def enabled() -> bool:
    return _installed and ENABLED.get()


@contextlib.contextmanager
def thai_layers(on: bool):
    """Turn the Thai layers on or off for the renders inside the block."""
    token = ENABLED.set(on)
    try:
        yield
    finally:
        ENABLED.reset(token)


_GC_LOCK = threading.Lock()
_gc_paused = [0, False]  # renders in progress, whether gc was enabled before the first


@contextlib.contextmanager
def _gc_paused_while_rendering():
    """
    The cyclic garbage collector off for the length of a render (~14 ms of
    each render went to it, walking the DOM, story and tables that are all
    still alive).  A render allocates a few MB; what becomes garbage is
    mostly freed by reference counting, and the collector, turned back on
    when the last render in progress ends, takes the rest.  Renders in
    several threads count themselves in; a collector someone else turned
    off stays off.
    """
    with _GC_LOCK:
        if _gc_paused[0] == 0:
            _gc_paused[1] = gc.isenabled()
            gc.disable()
        _gc_paused[0] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _gc_paused[0] -= 1
            if _gc_paused[0] == 0 and _gc_paused[1]:
                gc.enable()


@contextlib.contextmanager
def rendering(created_at: dt.datetime | None):
    """Renders inside get ``created_at`` as their fixed creation date."""
    token = _RENDER_DATE.set(created_at)
    try:
        with _gc_paused_while_rendering():
            yield
    finally:
        _RENDER_DATE.reset(token)


# ---------------------------------------------------------------------------
# 1. Shaping at draw time, with /ActualText


@lru_cache(maxsize=8192)
def _shape(text: str, font_name: str, size: float):
    return shapeStr(text, font_name, size)


def _actual_text(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


class ThaiTextObject(PDFTextObject):
    """
    A text object that shapes runs of Thai with HarfBuzz as it draws them.

    Each piece of text becomes one ``TJ`` per font subset (normally one),
    inside its own ``/Span <</ActualText (...)>> BDC ... EMC``: the glyphs
    with HarfBuzz's offsets, and the justification space of the Thai word
    boundaries (U+200B, never drawn) as numbers in the same array.  One
    text-showing operator per span matters: a text extractor (pdfium) reads
    the span as its /ActualText and, with several operators in one span or
    a gap between spans, adds spaces that are not in the text.
    """

    def _formatText(self, text):
        if not enabled():
            return super()._formatText(text)
        if isinstance(text, bytes):
            text = text.decode("utf8")
        elif not isinstance(text, str):
            text = str(text)
        if self._fontname in fonts.THAI_DIGIT_FONTS:
            text = text.translate(_TO_THAI_DIGITS)
        if ZWSP not in text and not _COMPLEX.search(text):
            # Nothing to shape and nothing to hide: ReportLab's plain Tj,
            # which extracts as it is (a /Span around a line-final "-" would
            # make pdfium read it as a soft hyphen).
            return super()._formatText(text)
        font = pdfmetrics.getFont(self._fontname)
        if not (getattr(font, "_dynamicFont", False) and getattr(font, "shapable", False)):
            return super()._formatText(text.replace(ZWSP, ""))
        items = self._glyphs(text)
        if items is None:  # vertical offsets: ReportLab's own drawing
            return self._fallback(text)
        return self._tj(font, items, text.replace(ZWSP, ""))

    def _glyphs(self, text):
        """[(adjust before, glyph char, adjust after, source index)] or None."""
        gap = getattr(self, "_wordSpace", 0) or 0
        gap_units = -gap * 1000.0 / self._fontsize if gap and self._fontsize else 0.0
        items = []
        offset = 0
        for i, part in enumerate(text.split(ZWSP)):
            first = len(items)
            if part:
                shaped = _shape(part, self._fontname, self._fontsize) if _COMPLEX.search(part) else part
                if isinstance(shaped, ShapedStr):
                    for ch, sd in zip(shaped, shaped.__shapeData__, strict=True):
                        if sd.y_offset:
                            return None
                        items.append([-sd.x_offset, ch, sd.width - sd.x_advance + sd.x_offset, offset + sd.cluster])
                else:
                    items.extend([0.0, ch, 0.0, offset + k] for k, ch in enumerate(part))
            if i and gap_units and len(items) > first:
                items[first][0] += gap_units
            offset += len(part)
        return items

    def _tj(self, font, items, source):
        canv = self._canvas
        out = []
        glyphs = "".join(item[1] for item in items)
        pos = 0
        chunks = font.splitString(glyphs, canv._doc)
        starts = []
        for _subset, data in chunks:
            starts.append(min(item[3] for item in items[pos : pos + len(data)]) if data else len(source))
            pos += len(data)
        starts[0] = 0
        pos = 0
        for n, (subset, data) in enumerate(chunks):
            if subset != self._curSubset:
                out.append(
                    f"{font.getSubsetInternalName(subset, canv._doc)} {fp_str(self._fontsize)} Tf "
                    f"{fp_str(self._leading)} TL"
                )
                self._curSubset = subset
            parts = []
            for k, byte in enumerate(data):
                before, _ch, after, _src = items[pos + k]
                if before:
                    parts.append(before)
                parts.append(bytes((byte,)))
                if after:
                    parts.append(after)
            pos += len(data)
            array = []
            for is_bytes, group in groupby(parts, lambda x: isinstance(x, bytes)):
                if is_bytes:
                    array.append("({})".format(canv._escape(b"".join(group))))
                else:
                    value = sum(group)
                    if abs(value) > 1e-9:
                        array.append(fp_str(value))
            end = starts[n + 1] if n + 1 < len(starts) else len(source)
            actual = _actual_text(source[starts[n] : end])
            out.append(f"/Span <</ActualText {actual}>> BDC [{' '.join(array)}] TJ EMC")
        return " ".join(out)

    def _fallback(self, text):
        gap = getattr(self, "_wordSpace", 0) or 0
        gap_op = f"[{fp_str(-gap * 1000.0 / self._fontsize)}] TJ" if gap and self._fontsize else ""
        out = []
        for i, part in enumerate(text.split(ZWSP)):
            if i and gap_op:
                out.append(gap_op)
            if part:
                shaped = _shape(part, self._fontname, self._fontsize)
                out.append(super()._formatText(shaped))
        actual = text.replace(ZWSP, "")
        return f"/Span <</ActualText {_actual_text(actual)}>> BDC {' '.join(out)} EMC"


def _beginText(self, x=0, y=0, direction=None):
    return ThaiTextObject(self, x, y, direction=direction)


# ---------------------------------------------------------------------------
# 2. ToUnicode: private-use code points back to real characters


def _makeToUnicodeCMap(fontname, subset):
    cmap = _ORIGINAL["makeToUnicodeCMap"](fontname, subset)
    face = str(fontname).split("+", 1)[-1]
    table = fonts.PUA_TEXT.get(face)
    if not table or not enabled():
        return cmap
    for i, code in enumerate(subset):
        text = table.get(code)
        if text:
            old = f"<{i:02X}> <{code:04X}>"
            new = "<{:02X}> <{}>".format(i, text.encode("utf-16-be").hex().upper())
            cmap = cmap.replace(old, new, 1)
    return cmap


# ---------------------------------------------------------------------------
# 3. Words: Thai word boundaries


class Glued(list):
    """A frag word that follows the previous one without a space between."""


def _text_of(f):
    text = getattr(f, "text", None)
    if isinstance(text, bytes):
        return text.decode("utf8")
    if text is None or isinstance(text, str):
        return text
    return str(text)


def _getFragWords(frags):
    if not enabled() or not any(
        (t := _text_of(f)) and thaibreak.has_thai(t) for f in frags
    ):
        return _ORIGINAL["_getFragWords"](frags)
    stringWidth = rp.stringWidth
    R = []
    W = []
    n = 0
    hangingStrip = False

    def close():
        nonlocal W, n
        if W != []:
            W.insert(0, n)
            R.append(W)
        W = []
        n = 0

    for f in frags:
        text = _text_of(f)
        if text:
            if hangingStrip:
                hangingStrip = False
                text = text.lstrip(whitespace)
            S = _WS_SPLIT(text) if "\xa0" in text else text.split()
            if S == []:
                S = [""]
            if W != [] and text and text[0] in whitespace:
                close()
            for k, w in enumerate(S):
                for j, seg in enumerate(thaibreak.segments(w) if w else [""]):
                    if j:
                        # a break opportunity without a space before seg
                        close()
                        W = Glued()
                    if seg or j == 0:
                        W.append((f, seg))
                        n += stringWidth(seg, f.fontName, f.fontSize)
                if k < len(S) - 1:
                    close()
            if text and text[-1] in whitespace:
                close()
        elif hasattr(f, "cbDefn"):
            w = getattr(f.cbDefn, "width", 0)
            if w:
                close()
                R.append([w, (f, "")])
            else:
                W.append((f, ""))
                n += getattr(f.cbDefn, "advance", 0) + getattr(f.cbDefn, "reserve", 0)
        elif hasattr(f, "lineBreak"):
            close()
            R.append([0, (f, "")])
            hangingStrip = True
    close()
    return R


# ---------------------------------------------------------------------------
# 4. Line breaking with glued words


def _cut_wide_word(w, maxWidth):
    """A word wider than ``maxWidth`` cut between character clusters."""
    stringWidth = rp.stringWidth
    atoms = []  # (frag, text, width, breakable_before)
    for f, text in w[1:]:
        if hasattr(f, "cbDefn") or not text:
            atoms.append((f, text, 0.0, False))
            continue
        for c in thaibreak.clusters(text):
            atoms.append((f, c, stringWidth(c, f.fontName, f.fontSize), True))
    out = []
    cur = Glued() if isinstance(w, Glued) else []
    width = 0.0
    for f, text, aw, breakable in atoms:
        if breakable and width > 0 and width + aw > maxWidth + _FUZZ:
            cur.insert(0, width)
            out.append(cur)
            cur, width = Glued(), 0.0
        if cur and cur[-1][0] is f and text and cur[-1][1]:
            cur[-1] = (f, cur[-1][1] + text)
        else:
            cur.append((f, text))
        width += aw
    cur.insert(0, width)
    out.append(cur)
    return out


def _extent(f, calcBounds):
    cbDefn = getattr(f, "cbDefn", None)
    if calcBounds and getattr(cbDefn, "width", 0):
        descent, ascent = rp.imgVRange(cbDefn.height, cbDefn.valign, f.fontSize)
        return ascent, descent
    return rp.getAscentDescent(f.fontName, f.fontSize)


def _has_thai_frags(frags) -> bool:
    return any((t := _text_of(f)) and thaibreak.has_thai(t) for f in frags)


def _breakLines(self, width):
    frags = self.frags
    if (
        not enabled()
        or self.style.wordWrap == "CJK"
        or (hasattr(self, "blPara") and getattr(self, "_splitpara", 0))
        or not _has_thai_frags(frags)
    ):
        return _ORIGINAL["breakLines"](self, width)

    stringWidth = rp.stringWidth
    maxWidths = [width] if not isinstance(width, tuple | list) else list(width)
    style = self.style
    rp._handleBulletWidth(self.bulletText, style, maxWidths, rtl=self.dir == "rtl")
    lineno = 0
    maxWidth = maxWidths[0]
    self.height = 0
    autoLeading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
    calcBounds = autoLeading not in {"", "off"}
    lines = []

    frag_words = _getFragWords(frags)
    if any(getattr(f, "splitLongWords", False) for f in frags):
        frag_words = rp._splitLongWords(frag_words, min(maxWidths))
    # A word wider than the narrowest line is cut between clusters rather
    # than left to cross the margin or a table cell's border.
    narrowest = min(maxWidths)
    cut = []
    for w in frag_words:
        if w[0] > narrowest + _FUZZ and any(
            isinstance(t, str) and thaibreak.has_thai(t) for _f, t in w[1:]
        ):
            cut.extend(_cut_wide_word(w, narrowest))
        else:
            cut.append(w)
    frag_words = cut

    words = []
    n = 0
    currentWidth = 0.0
    maxSize = style.fontSize
    maxAscent = minDescent = 0
    g = None

    def add_text(word_frag, text, glued, first_on_line, has_text):
        """Put the first piece of a word on the line being built."""
        nonlocal g
        sep = "" if first_on_line or not has_text else (ZWSP if glued else " ")
        if g is not None and words and text and rp._sameFrag(g, word_frag):
            g.text = (_text_of(g) or "") + sep + text
            return
        if words and sep:
            # a new fragment: the separator goes at the end of the last
            # fragment holding text, as xhtml2pdf does with its spaces
            for wi in reversed(words):
                cb = getattr(wi, "cbDefn", None)
                if cb and not getattr(cb, "width", 0):
                    continue
                t = _text_of(wi) or ""
                if not t.endswith((" ", ZWSP)):
                    wi.text = t + sep
                break
        g = word_frag.clone()
        g.text = text
        words.append(g)

    for w in frag_words:
        glued = isinstance(w, Glued)
        f = w[-1][0]
        spaceWidth = stringWidth(" ", f.fontName, f.fontSize)
        if not words:
            currentWidth = 0.0
            maxSize = f.fontSize
            maxAscent, minDescent = rp.getAscentDescent(f.fontName, f.fontSize)
        wordWidth = w[0]
        f = w[1][0]
        sep = 0.0 if (glued or n == 0) else spaceWidth
        newWidth = currentWidth + sep + wordWidth if wordWidth > 0 else currentWidth
        lineBreak = hasattr(f, "lineBreak")
        endLine = (newWidth > maxWidth + _FUZZ and n > 0) or lineBreak
        if not endLine:
            if lineBreak:
                continue
            has_text = any(piece[1] for piece in w[1:])
            add_text(f, w[1][1], glued, n == 0, has_text)
            if has_text:
                n += 1
            for piece in w[2:]:
                gg = piece[0].clone()
                gg.text = piece[1]
                words.append(gg)
                g = gg
            for piece in w[1:]:
                a, d = _extent(piece[0], calcBounds)
                maxSize = max(maxSize, piece[0].fontSize)
                maxAscent = max(maxAscent, a)
                minDescent = min(minDescent, d)
            currentWidth = newWidth
        else:
            if lineBreak:
                words.append(f.clone())
            self.width = max(currentWidth, self.width)
            lines.append(
                rp.FragLine(
                    extraSpace=maxWidth - currentWidth + rp._reserved(words),
                    wordCount=n,
                    lineBreak=lineBreak,
                    words=words,
                    fontSize=maxSize,
                    ascent=maxAscent,
                    descent=minDescent,
                    thaiGlued=glued and not lineBreak,
                )
            )
            lineno += 1
            maxWidth = maxWidths[min(lineno, len(maxWidths) - 1)]
            words = []
            g = None
            n = 0
            if lineBreak:
                continue
            currentWidth = wordWidth
            maxSize = f.fontSize
            maxAscent, minDescent = _extent(f, calcBounds)
            g = f.clone()
            g.text = w[1][1]
            words.append(g)
            if any(piece[1] for piece in w[1:]):
                n = 1
            for piece in w[2:]:
                gg = piece[0].clone()
                gg.text = piece[1]
                words.append(gg)
                g = gg
                a, d = _extent(gg, calcBounds)
                maxSize = max(maxSize, gg.fontSize)
                maxAscent = max(maxAscent, a)
                minDescent = min(minDescent, d)

    if words:
        self.width = max(currentWidth, self.width)
        lines.append(
            rp.ParaLines(
                extraSpace=maxWidth - currentWidth + rp._reserved(words),
                wordCount=n,
                words=words,
                fontSize=maxSize,
                ascent=maxAscent,
                descent=minDescent,
            )
        )
    return rp.ParaLines(kind=1, lines=lines)


# ---------------------------------------------------------------------------
# 5. Paragraph split across pages


def _split_blParaHard(blPara, start, stop):
    if not enabled():
        return _ORIGINAL["_split_blParaHard"](blPara, start, stop)
    f = []
    lines = blPara.lines[start:stop]
    for line in lines:
        f.extend(line.words)
        if line is not lines[-1]:
            sep = ZWSP if getattr(line, "thaiGlued", False) else " "
            i = len(f) - 1
            while i >= 0 and hasattr(f[i], "cbDefn") and not getattr(f[i].cbDefn, "width", 0):
                i -= 1
            if i >= 0:
                t = _text_of(f[i]) or ""
                if not t.endswith((" ", ZWSP)):
                    # A copy: the original frag is also on the line the
                    # first part draws, where a trailing space would be
                    # drawn and extracted.
                    f[i] = f[i].clone(text=t + sep)
    return f


# ---------------------------------------------------------------------------
# 6. minWidth


def _minWidth(self):
    if enabled() and self.frags and _has_thai_frags(self.frags):
        words = _getFragWords(self.frags)
        return max((w[0] for w in words), default=0)
    return _ORIGINAL["minWidth"](self)


# ---------------------------------------------------------------------------
# 7. Deterministic output


def _fixed_timestamp(moment: dt.datetime) -> TimeStamp:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    moment = moment.astimezone(dt.UTC)
    ts = TimeStamp(invariant=1)
    ts.t = moment.timestamp()
    ts.lt = moment.timetuple()
    ts.YMDhms = tuple(ts.lt)[:6]
    ts.dhh = ts.dmm = 0
    ts.tzname = "UTC"
    return ts


def _makeCanvas(self, filename=None, canvasmaker=None):
    canv = _ORIGINAL["_makeCanvas"](self, filename=filename, canvasmaker=canvasmaker)
    moment = _RENDER_DATE.get()
    if moment is not None:
        doc = canv._doc
        doc.invariant = 1
        doc._timeStamp = _fixed_timestamp(moment)
        # The file ID is a digest of what the document says, not of the
        # clock: ReportLab seeds it with the time.
        sig = doc.signature = md5(usedforsecurity=False)
        sig.update(b"a reportlab document")
        sig.update(repr(doc._timeStamp.t).encode())
    return canv


# ---------------------------------------------------------------------------
# 8. Speed: measuring a table cell without copying the frame


def _plain(f) -> bool:
    return isinstance(f, rp.Paragraph) and not hasattr(f, "frameAction")


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
        return _ORIGINAL["_listWrapOn"](F, availWidth, canv, mergeSpace, obj, dims, fakeWidth)
    frame = doct.frame
    doct.frame = None  # the original then skips its copy
    try:
        return _ORIGINAL["_listWrapOn"](F, availWidth, canv, mergeSpace, obj, dims, fakeWidth)
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
        return _ORIGINAL["kifWrap"](self, availWidth, availHeight)
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
    return _ORIGINAL["kifWrap"](self, availWidth, availHeight)


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
    return _ORIGINAL["_brokenLines"](self, first_line_width, later_widths)


# ---------------------------------------------------------------------------
# 10. Speed: the CSS of table cells, remembered across rows


def _qualifiers(selector):
    for q in getattr(selector, "qualifiers", ()):
        yield q
        inner = getattr(q, "selector", None)
        if inner is not None:
            yield from _qualifiers(inner)
        for argument in getattr(q, "selectors", None) or ():
            yield from _qualifiers(argument)


_CHAIN_OK: dict[int, tuple[object, frozenset, bool]] = {}


def _chain_ok(cascade, attribute_names) -> bool:
    """
    Whether an element's CSS follows from what the cache keys of it and its
    ancestors hold -- tag, class, id, style and the attributes some rule
    selects by: no rule anywhere in the cascade looks at positions or
    siblings, or at attributes or pseudo-classes the keys leave out.
    """
    entry = _CHAIN_OK.get(id(cascade))
    if entry is not None and entry[0] is cascade and entry[1] == attribute_names:
        return entry[2]
    from xhtml2pdf.w3c.css import CSSSelectorAttributeQualifier

    ok = True
    for ruleset in cascade.iterCSSRulesets():
        for selector in ruleset:
            for q in _qualifiers(selector):
                if q.isPseudo():
                    needs = xparser.PSEUDO_CLASS_ATTRIBUTES.get(q.name)
                    if needs is None or not needs <= attribute_names or q.name in xparser.POSITIONAL_PSEUDO_CLASSES:
                        ok = False
                elif isinstance(q, CSSSelectorAttributeQualifier):
                    if q.name not in attribute_names:
                        ok = False
                elif getattr(q, "op", " ") not in {" ", ">"}:
                    ok = False
    _CHAIN_OK.clear()  # one cascade per document: keep only the latest
    _CHAIN_OK[id(cascade)] = (cascade, attribute_names, ok)
    return ok


def _cssKey(node, positional_tags=frozenset(), attribute_names=frozenset()):
    """
    xhtml2pdf caches an element's CSS under its tag, class, id and style
    *and its parent node*, so the cells of a table's rows -- each row a
    different parent -- never share an entry: every cell of the plan
    report's 49-row table ran the whole cascade.  When no rule looks at
    anything but tags, classes, ids and ancestors (checked once per
    document), the parent node is replaced by the parent's own key, made the
    same way: two cells with the same ancestry then share one entry.
    """
    key = _ORIGINAL["getCSSAttrCacheKey"](node, positional_tags, attribute_names)
    if not enabled() or positional_tags:
        return key
    parent = node.parentNode
    if parent is None or getattr(parent, "nodeType", None) != parent.ELEMENT_NODE:
        return key
    cascade = _CSS_CASCADE.get()
    if cascade is None or not _chain_ok(cascade, attribute_names):
        return key
    try:
        pkey = parent._thaiCssKey
    except AttributeError:
        pkey = parent._thaiCssKey = _cssKey(parent, positional_tags, attribute_names)
    return key._replace(parent=pkey)


_CSS_CASCADE: contextvars.ContextVar[object | None] = contextvars.ContextVar("thai_css_cascade", default=None)


def _CSSCollect(node, c):
    token = _CSS_CASCADE.set(getattr(c, "cssCascade", None))
    try:
        return _ORIGINAL["CSSCollect"](node, c)
    finally:
        _CSS_CASCADE.reset(token)


# ---------------------------------------------------------------------------
# 11. Speed: fewer table style commands

#: Cell-style commands: each sets one attribute of the cells it covers, so
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


def _add_cell_styles(self, c, begin, end, mode="td"):
    """xhtml2pdf's TableData.add_cell_styles without a BoxStyle per cell when
    the frag has no border radius (roundedBox would return None for it), and
    without copying the (immutable) tuples: the same commands, same order."""
    frag = c.frag
    no_radius = xutil.NO_RADIUS
    for name in _RADIUS_ATTRS:
        d = getattr(frag, name, None)
        if d is not None and d is not no_radius:
            return _ORIGINAL["add_cell_styles"](self, c, begin, end, mode)
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


def _tableStart(self, c):
    if enabled() and self.node.getAttribute(grid.MARK[0]) == grid.MARK[1]:
        # Laid out here from the markup; the cells are not visited.
        c.addPara()
        self._grid = grid.table_for(self.node)
        for child in list(self.node.childNodes):
            self.node.removeChild(child)
        return None
    return _ORIGINAL["tableStart"](self, c)


def _tableEnd(self, c):
    table = getattr(self, "_grid", None)
    if table is not None:
        c.addStory(table)
        return None
    tdata = getattr(c, "tableData", None)
    if enabled() and tdata is not None and len(tdata.styles) > 16:
        tdata.styles = _merge_line_cmds(_merge_attr_cmds(tdata.styles))
    return _ORIGINAL["tableEnd"](self, c)


# ---------------------------------------------------------------------------
# 12. Speed: no empty graphics state per paragraph


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
    return _ORIGINAL["drawBoxBorders"](canvas, x, y, w, h, style, sides)


# ---------------------------------------------------------------------------
# 13. Speed: CSS values onto frags


def _transform_attrs(obj, keys, container, func, extras=None):
    """
    xhtml2pdf's ``util.transform_attrs`` (run some twenty times per element
    by ``properties.apply_uniform_groups``) without building and growing a
    list of arguments for every key: the same calls, ``func(value)`` or
    ``func(value, extras)``.  A list of extras (which the original grows as
    it goes) goes to the original.
    """
    if isinstance(extras, list):
        return _ORIGINAL["transform_attrs"](obj, keys, container, func, extras)
    if extras is None:
        for reportlab_key, css in keys:
            if css in container:
                setattr(obj, reportlab_key, func(container[css]))
    else:
        for reportlab_key, css in keys:
            if css in container:
                setattr(obj, reportlab_key, func(container[css], extras))
    return None


_GROUP_PLANS: dict[int, tuple] = {}


def _group_plan(groups):
    steps = []
    index: dict[str, list[int]] = {}
    for group in groups:
        for frag_attr, css in group.pairs:
            index.setdefault(css, []).append(len(steps))
            steps.append((frag_attr, css, group.convert, group.relative_to_font_size))
    plan = (groups, {k: tuple(v) for k, v in index.items()}, tuple(steps))
    _GROUP_PLANS[id(groups)] = plan
    return plan


def _apply_uniform_groups(frag, css_attrs, groups):
    """
    ``properties.apply_uniform_groups`` (per element, some 17 converter
    groups and 46 property pairs against ~19 declared properties) walking
    only the pairs whose property is declared: the same converter calls,
    in the same order, with the same arguments (``frag.fontSize`` is not
    among the attributes the groups write, so reading it once per call
    instead of once per group gives the same value).
    """
    plan = _GROUP_PLANS.get(id(groups))
    if plan is None or plan[0] is not groups:
        plan = _group_plan(groups)
    index = plan[1]
    hits = []
    for name in css_attrs:
        found = index.get(name)
        if found is not None:
            hits.extend(found)
    if not hits:
        return
    hits.sort()
    steps = plan[2]
    for i in hits:
        frag_attr, css, convert, relative = steps[i]
        if relative:
            setattr(frag, frag_attr, convert(css_attrs[css], frag.fontSize))
        else:
            setattr(frag, frag_attr, convert(css_attrs[css]))


# ---------------------------------------------------------------------------
# 9. Speed: numbers in content streams


_FP_MODULES = (
    "reportlab.pdfgen.canvas",
    "reportlab.pdfgen.textobject",
    "reportlab.pdfgen.pathobject",
    "reportlab.platypus.tables",
    "reportlab.platypus.flowables",
    "reportlab.pdfbase.pdfdoc",
    "reportlab.pdfbase.ttfonts",
    "reportlab.lib.colors",
)


@lru_cache(maxsize=16384)
def _fp_one(x) -> str:
    return _ORIGINAL["fp_str"](x)


def _fp_str(*a):
    """ReportLab's pure-Python ``fp_str`` (no C accelerator), remembered per number."""
    if len(a) == 1 and isinstance(a[0], list | tuple):
        a = a[0]
    try:
        return " ".join([_fp_one(x) for x in a])
    except TypeError:  # unhashable: not a plain number
        return _ORIGINAL["fp_str"](*a)


# ---------------------------------------------------------------------------


def install() -> None:
    """Apply the patches (once per process) and register the fonts."""
    global _installed
    if _installed:
        return
    fonts.register_fonts()
    thaibreak.warm_up()
    _ORIGINAL["beginText"] = MarkedCanvas.beginText
    _ORIGINAL["makeToUnicodeCMap"] = ttfonts.makeToUnicodeCMap
    _ORIGINAL["_getFragWords"] = rp._getFragWords
    _ORIGINAL["breakLines"] = rp.Paragraph.breakLines
    _ORIGINAL["_split_blParaHard"] = rp._split_blParaHard
    _ORIGINAL["minWidth"] = rp.Paragraph.minWidth
    _ORIGINAL["_makeCanvas"] = xr.PmlBaseDoc._makeCanvas

    MarkedCanvas.beginText = _beginText
    ttfonts.makeToUnicodeCMap = _makeToUnicodeCMap
    rp._getFragWords = _getFragWords
    rp.Paragraph.breakLines = _breakLines
    rp._split_blParaHard = _split_blParaHard
    rp.Paragraph.minWidth = _minWidth
    xr.PmlBaseDoc._makeCanvas = _makeCanvas

    _ORIGINAL["_listWrapOn"] = rl_flowables._listWrapOn
    rl_flowables._listWrapOn = _listWrapOn
    _ORIGINAL["kifWrap"] = xr.PmlKeepInFrame.wrap
    _ORIGINAL["drawBoxBorders"] = xr.drawBoxBorders
    xr.drawBoxBorders = _drawBoxBorders
    _ORIGINAL["tableStart"] = xtables.pisaTagTABLE.start
    xtables.pisaTagTABLE.start = _tableStart
    _ORIGINAL["tableEnd"] = xtables.pisaTagTABLE.end
    xtables.pisaTagTABLE.end = _tableEnd
    _ORIGINAL["add_cell_styles"] = xtables.TableData.add_cell_styles
    xtables.TableData.add_cell_styles = _add_cell_styles
    _ORIGINAL["_brokenLines"] = rp.Paragraph._brokenLines
    rp.Paragraph._brokenLines = _brokenLinesNear
    _ORIGINAL["getCSSAttrCacheKey"] = xparser.getCSSAttrCacheKey
    _ORIGINAL["CSSCollect"] = xparser.CSSCollect
    xparser.getCSSAttrCacheKey = _cssKey
    xparser.CSSCollect = _CSSCollect
    xr.PmlKeepInFrame.wrap = _kifWrap
    from xhtml2pdf import properties as xproperties

    if getattr(xproperties, "transform_attrs", None) is xutil.transform_attrs:
        _ORIGINAL["transform_attrs"] = xutil.transform_attrs
        xproperties.transform_attrs = _transform_attrs
        if getattr(xparser, "apply_uniform_groups", None) is xproperties.apply_uniform_groups:
            _ORIGINAL["apply_uniform_groups"] = xproperties.apply_uniform_groups
            xparser.apply_uniform_groups = _apply_uniform_groups
    _ORIGINAL["fp_str"] = rl_accel.fp_str
    if rl_accel.fp_str.__name__ == "_py_fp_str":  # not the C accelerator
        for name in _FP_MODULES:
            module = importlib.import_module(name)
            if getattr(module, "fp_str", None) is _ORIGINAL["fp_str"]:
                module.fp_str = _fp_str
        globals()["fp_str"] = _fp_str
    # Streams zlib-compressed and left binary, not also ASCII85-encoded:
    # without ReportLab's C accelerator the encoding is pure Python (~10% of
    # a render), and the file is a fifth smaller.  What the PDF shows and
    # says is the same.
    rl_config.useA85 = 0

    # The dictionary trie, the fonts and the shaping caches are some half a
    # million long-lived objects that every full collection of the cyclic
    # garbage collector walked again -- 100-200 ms of each render spent in
    # gc.  Moved to the permanent generation once, they are left alone (they
    # are still freed by reference counting; only a cycle among them would
    # stay).  The collection first means nothing already garbage is kept.
    gc.collect()
    gc.freeze()
    _installed = True
