"""Line breaking with glued words.

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
"""

from __future__ import annotations

from reportlab.lib.enums import TA_JUSTIFY
from reportlab.rl_settings import _FUZZ
from xhtml2pdf import reportlab_paragraph as rp

from .. import thaibreak
from ..registry import ORIGINALS, patch
from ..thaibreak import ZWSP
from . import justify
from .words import Glued, _getFragWords, _text_of

BREAK_LINES = "xhtml2pdf.reportlab_paragraph:Paragraph.breakLines"
SPLIT_HARD = "xhtml2pdf.reportlab_paragraph:_split_blParaHard"
MIN_WIDTH = "xhtml2pdf.reportlab_paragraph:Paragraph.minWidth"


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
    """Whether the paragraph needs this line breaker: Thai, or a long run to break."""
    return any((t := _text_of(f)) and thaibreak.needs_segmenting(t) for f in frags)


@patch(BREAK_LINES, layer="thai", original_sha256="3289f8d9186a9750",
       why="lines may break between Thai words, with no space drawn there, and an over-wide word is cut between clusters")
def _breakLines(self, width):
    frags = self.frags
    if (
        self.style.wordWrap == "CJK"
        or (hasattr(self, "blPara") and getattr(self, "_splitpara", 0))
        or not _has_thai_frags(frags)
    ):
        return ORIGINALS[BREAK_LINES](self, width)

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
    # A word wider than the narrowest line (a long compound in a narrow
    # table cell, a code with no natural break) is cut between clusters
    # rather than left to cross the margin or a table cell's border.
    narrowest = min(maxWidths)
    cut = []
    for w in frag_words:
        if w[0] > narrowest + _FUZZ and any(isinstance(t, str) and t for _f, t in w[1:]):
            cut.extend(_cut_wide_word(w, narrowest))
        else:
            cut.append(w)
    frag_words = cut

    # Justified text: the breaks chosen for the paragraph as a whole.
    starts = None
    if style.alignment == TA_JUSTIFY and len(maxWidths) <= 2 and not any(
        hasattr(w[1][0], "lineBreak") for w in frag_words
    ):
        starts = justify.total_fit(
            frag_words,
            [isinstance(w, Glued) for w in frag_words],
            maxWidths,
            [stringWidth(" ", w[-1][0].fontName, w[-1][0].fontSize) for w in frag_words],
        )

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

    for index, w in enumerate(frag_words):
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
        endLine = (newWidth > maxWidth + _FUZZ and n > 0) or lineBreak or (
            starts is not None and index in starts and n > 0
        )
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


@patch(SPLIT_HARD, layer="thai", original_sha256="ac1831e852199bb2",
       why="a paragraph split across pages would put a space between two Thai words that had none")
def _split_blParaHard(blPara, start, stop):
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


@patch(MIN_WIDTH, layer="thai", original_sha256="9a3095ac03380632",
       why="a table sizing its columns would see a whole Thai sentence as one unbreakable word")
def _minWidth(self):
    if self.frags and _has_thai_frags(self.frags):
        words = _getFragWords(self.frags)
        return max((w[0] for w in words), default=0)
    return ORIGINALS[MIN_WIDTH](self)

