"""Words: a paragraph's fragments cut at Thai word boundaries too.

``reportlab_paragraph._getFragWords`` also cuts words at Thai word
boundaries (PyThaiNLP, see :mod:`approval.pdf.thaibreak`), at U+200B and at
the natural break points of a long URL, e-mail address or code; a word that
follows such a boundary is a :class:`Glued` word: a line may break before
it, but no space stands between it and the previous word.  A date is one
word, its spaces included (``๒ พฤษภาคม ๒๕๖๗`` never loses its year to the
next line).
"""

from __future__ import annotations

import re
from string import whitespace

from xhtml2pdf import reportlab_paragraph as rp

from .. import thaibreak
from ..registry import ORIGINALS, patch

FRAG_WORDS = "xhtml2pdf.reportlab_paragraph:_getFragWords"

# Like reportlab_paragraph._wsc_re_split, without U+200B: that is a break
# opportunity *without* a space, which _getFragWords handles itself.
_WS_SPLIT = re.compile(
    "[{}]+".format(re.escape(
        "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
        " \x85\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
    ))
).split


class Glued(list):
    """A frag word that follows the previous one without a space between."""


def _text_of(f):
    text = getattr(f, "text", None)
    if isinstance(text, bytes):
        return text.decode("utf8")
    if text is None or isinstance(text, str):
        return text
    return str(text)


@patch(FRAG_WORDS, layer="thai", original_sha256="1ac8b697c71a57b5",
       why="xhtml2pdf cuts words only at spaces: a Thai sentence is one unbreakable word")
def _getFragWords(frags):
    if not any(
        (t := _text_of(f)) and thaibreak.needs_segmenting(t) for f in frags
    ):
        return ORIGINALS[FRAG_WORDS](frags)
    unglue = thaibreak.unglue
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
            # no break inside a date (its spaces become joins, spaces again below)
            text = thaibreak.glue(text)
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
                        seg = unglue(seg)
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

