"""Thai shaping at draw time, and text extraction that gives back the real characters.

1. ``MarkedCanvas.beginText`` returns a :class:`ThaiTextObject`.  Every piece
   of text xhtml2pdf draws -- paragraphs, table cells, static headers, page
   numbers, drawString -- goes through a text object's ``_formatText``, so
   shaping there covers it all, and at draw time: the line breaker measures
   unshaped text (marks have no advance, so widths are the same) and text
   fed back into a paragraph split across pages is never a shaped string.
   Each shaped run is wrapped in a ``/Span <</ActualText ...>> BDC ... EMC``
   marked-content sequence so text extraction and search give back the
   original characters.
2. ``ttfonts.makeToUnicodeCMap`` maps the private-use code points ReportLab
   gives to unencoded glyphs (Sarabun's raised tone marks...) back to the
   real characters, for extractors that ignore /ActualText.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import groupby, pairwise

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, shapeStr
from reportlab.pdfgen import textobject as _rl_textobject
from reportlab.pdfgen.textobject import PDFTextObject

from .. import fonts
from ..registry import ORIGINALS, patch
from ..thaibreak import ZWSP

BEGIN_TEXT = "xhtml2pdf.builders.printmarks:MarkedCanvas.beginText"
TO_UNICODE = "reportlab.pdfbase.ttfonts:makeToUnicodeCMap"

#: Text that needs shaping: Thai letters and marks.
_COMPLEX = re.compile("[\u0e31-\u0e4e]")
_TO_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


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

    #: Set by :mod:`.justify` while it draws a justified line: (space added
    #: at each stretch point, [(frag text, its stretch points)] in drawing order).
    stretch_plan = None

    def _formatText(self, text):
        if isinstance(text, bytes):
            text = text.decode("utf8")
        elif not isinstance(text, str):
            text = str(text)
        self._stretch = None
        plan = getattr(self, "stretch_plan", None)
        if plan is not None and plan[1] and plan[1][0][0] == text:
            points = plan[1].pop(0)[1]
            if points:
                self._stretch = (plan[0], frozenset(points))
        if self._fontname in fonts.THAI_DIGIT_FONTS:
            text = text.translate(_TO_THAI_DIGITS)
        if ZWSP not in text and not _COMPLEX.search(text) and self._stretch is None:
            # Nothing to shape and nothing to hide: ReportLab's plain Tj,
            # which extracts as it is (a /Span around a line-final "-" would
            # make pdfium read it as a soft hyphen).
            return super()._formatText(text)
        font = pdfmetrics.getFont(self._fontname)
        if not (getattr(font, "_dynamicFont", False) and getattr(font, "shapable", False)):
            if self._stretch is not None and ZWSP not in text and not _COMPLEX.search(text):
                return super()._formatText(text)
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
        if self._stretch is not None:
            per, points = self._stretch
            units = -per * 1000.0 / self._fontsize
            seen = set()
            for item in items:
                src = item[3]
                if src in points and src not in seen:
                    seen.add(src)
                    item[0] += units
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
                    f"{font.getSubsetInternalName(subset, canv._doc)} {_rl_textobject.fp_str(self._fontsize)} Tf "
                    f"{_rl_textobject.fp_str(self._leading)} TL"
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
                        array.append(_rl_textobject.fp_str(value))
            end = starts[n + 1] if n + 1 < len(starts) else len(source)
            actual = _actual_text(source[starts[n] : end])
            out.append(f"/Span <</ActualText {actual}>> BDC [{' '.join(array)}] TJ EMC")
        return " ".join(out)

    def _fallback(self, text):
        """Text with glyphs raised or lowered (a tone mark over an upper vowel
        that HarfBuzz moves up): ReportLab's own drawing, which sets the rise
        (Ts) per glyph, with a justified line's stretch points between pieces."""
        gap = getattr(self, "_wordSpace", 0) or 0
        gap_op = f"[{_rl_textobject.fp_str(-gap * 1000.0 / self._fontsize)}] TJ" if gap and self._fontsize else ""
        stretch_op, points = "", ()
        if self._stretch is not None and self._fontsize:
            per, points = self._stretch
            stretch_op = f"[{_rl_textobject.fp_str(-per * 1000.0 / self._fontsize)}] TJ"
        out = []
        offset = 0
        for i, part in enumerate(text.split(ZWSP)):
            if i and gap_op:
                out.append(gap_op)
            cuts = [p - offset for p in sorted(points) if offset <= p < offset + len(part)] if points else []
            bounds = [0, *(c for c in cuts if c > 0), len(part)]
            if cuts and cuts[0] == 0:
                out.append(stretch_op)
            for k, (a, b) in enumerate(pairwise(bounds)):
                if k:
                    out.append(stretch_op)
                piece = part[a:b]
                if piece:
                    shaped = _shape(piece, self._fontname, self._fontsize) if _COMPLEX.search(piece) else piece
                    out.append(super()._formatText(shaped))
            offset += len(part)
        actual = text.replace(ZWSP, "")
        return f"/Span <</ActualText {_actual_text(actual)}>> BDC {' '.join(out)} EMC"


@patch(BEGIN_TEXT, layer="thai", original_sha256="659a5b2e92099efd",
       why="xhtml2pdf draws Thai unshaped: tone marks collide with upper vowels (ที่ prints like ที)")
def _beginText(self, x=0, y=0, direction=None):
    return ThaiTextObject(self, x, y, direction=direction)


# ---------------------------------------------------------------------------
# 2. ToUnicode: private-use code points back to real characters


@patch(TO_UNICODE, layer="thai", original_sha256="71783731cbe452d8",
       why="the private-use code points of shaped glyphs extract as garbage without a ToUnicode entry")
def _makeToUnicodeCMap(fontname, subset):
    cmap = ORIGINALS[TO_UNICODE](fontname, subset)
    face = str(fontname).split("+", 1)[-1]
    table = fonts.PUA_TEXT.get(face)
    if not table:
        return cmap
    for i, code in enumerate(subset):
        text = table.get(code)
        if text:
            old = f"<{i:02X}> <{code:04X}>"
            new = "<{:02X}> <{}>".format(i, text.encode("utf-16-be").hex().upper())
            cmap = cmap.replace(old, new, 1)
    return cmap

