"""Justification that keeps an even colour.

xhtml2pdf justifies a line by widening its spaces, and the Thai layer's
word boundaries (U+200B) with them: the slack of a Thai line lands on the
few places the dictionary cut it, and gaps open where the writer typed none
("กอง ช่าง ได้ ออก สำรวจ", "มท ๐๘๑๐.๓/ ว ๑๒๓๔").  Thai word processors justify
official documents the other way, "Thai distributed": the slack is spread
over every character cluster.

8. ``reportlab_paragraph._justifyDrawParaLineX`` spreads a justified
   line's slack evenly over its stretch points (:func:`thaibreak.stretch_points`:
   after each space and between two Thai clusters, never inside a cluster,
   a number or a code), up to :data:`CAP_EM` of the font size per point.
   A line that would need more is left ragged (flush left).  The added
   space reaches the page as numbers in the text object's ``TJ`` arrays
   (:class:`.shaping.ThaiTextObject` reads the plan this module leaves on
   it), never as characters, so the text extracts as it was written.

The breaks that make the lines are chosen for the paragraph as a whole
(:func:`total_fit`, Knuth and Plass's idea over the word boundaries): the
line breaker of :mod:`.lines` asks it where to end each line, so that no
line needs more than the cap if another choice of breaks avoids it, and a
paragraph's last line holds at least two words.
"""

from __future__ import annotations

from reportlab.rl_settings import _FUZZ
from xhtml2pdf import reportlab_paragraph as rp

from .. import thaibreak
from ..registry import ORIGINALS, patch
from ..thaibreak import ZWSP

JUSTIFY_LINE = "xhtml2pdf.reportlab_paragraph:_justifyDrawParaLineX"

#: The most space added at one stretch point, in ems of the line's font size
#: (3.2 pt at 16 pt: a millimetre beside the font's own side bearings; a
#: line of Thai has some sixty points, so the cap is met only by a line
#: short by a long word).
CAP_EM = 0.2
#: Demerits of a paragraph whose last line holds a single word, and of a
#: line left ragged because it would need more than the cap.
WIDOW = 1e9
RAGGED = 1e5


def _text(f) -> str | None:
    if hasattr(f, "cbDefn"):
        return None
    t = getattr(f, "text", None)
    if isinstance(t, bytes):
        t = t.decode("utf8")
    return t if isinstance(t, str) else None


def line_plan(line) -> tuple[int, list[tuple[str, list[int]]]]:
    """(number of stretch points, [(frag text, its points in the text without U+200B)])."""
    texts = [t for f in line.words if (t := _text(f)) is not None]
    stripped = [t.replace(ZWSP, "") for t in texts]
    points = thaibreak.stretch_points("".join(stripped))
    plan = []
    start, k = 0, 0
    for t, s in zip(texts, stripped, strict=True):
        end = start + len(s)
        mine = []
        while k < len(points) and points[k] < end:
            mine.append(points[k] - start)
            k += 1
        plan.append((t, mine))
        start = end
    return len(points), plan


@patch(JUSTIFY_LINE, layer="thai", original_sha256="037f8706c8e76ab4",
       why="justification widens only spaces and Thai word boundaries: gaps open where the writer typed none")
def _justifyDrawParaLineX(tx, offset, line, last=0):
    original = ORIGINALS[JUSTIFY_LINE]
    if (
        last
        or not hasattr(tx, "stretch_plan")
        or getattr(line, "lineBreak", False)
        or abs(line.extraSpace) <= 1e-8
        or line.extraSpace < 0
    ):
        return original(tx, offset, line, last)
    count, plan = line_plan(line)
    per = line.extraSpace / count if count else float("inf")
    if per > CAP_EM * line.fontSize + 1e-9:
        return original(tx, offset, line, 1)  # ragged: better than holes
    rp.setXPos(tx, offset)
    tx.stretch_plan = (per, plan)
    try:
        rp._putFragLine(offset, tx, line)
    finally:
        tx.stretch_plan = None
    rp.setXPos(tx, -offset)
    return None


# ---------------------------------------------------------------------------
# Choosing the breaks for the paragraph as a whole


def _word_text(w) -> str:
    return "".join(t for _f, t in w[1:] if isinstance(t, str))


def total_fit(frag_words, glued_flags, max_widths, space_widths) -> set[int] | None:
    """
    The indices of the words that start a line, chosen for the whole
    paragraph: the least demerits, where a line's badness grows with the
    cube of the space it adds per stretch point relative to the cap, a line
    over the cap counts as ragged, and a last line of a single word (in a
    paragraph of more) is all but forbidden.  None when every word fits on
    the first line.
    """
    n = len(frag_words)
    widths = [w[0] for w in frag_words]
    first_w, rest_w = max_widths[0], max_widths[-1]
    total = sum(widths) + sum(space_widths[k] for k in range(1, n) if not glued_flags[k] and widths[k] > 0)
    if total <= first_w + _FUZZ or n < 2:
        return None
    texts = [_word_text(w) for w in frag_words]
    size = getattr(frag_words[0][-1][0], "fontSize", 12) or 12
    # xhtml2pdf breaks a paragraph again for each wrap and split: the same
    # words at the same widths give the same breaks
    key = (tuple(texts), tuple(widths), tuple(glued_flags), tuple(space_widths), first_w, rest_w, size)
    starts = _CACHE.get(key)
    if starts is None:
        starts = _total_fit(texts, widths, glued_flags, first_w, rest_w, space_widths, size)
        if len(_CACHE) > 512:
            _CACHE.clear()
        _CACHE[key] = starts
    return set(starts)


_CACHE: dict[tuple, frozenset[int]] = {}


def _total_fit(texts, widths, glued_flags, first_w, rest_w, space_widths, size) -> frozenset[int]:
    n = len(texts)
    inner = [len(thaibreak.stretch_points(t)) for t in texts]
    # the stretch point between word k-1 and word k
    between = [0] * n
    for k in range(1, n):
        if widths[k] <= 0:
            continue
        if not glued_flags[k]:
            between[k] = 1
        else:
            a, b = texts[k - 1], texts[k]
            pts = thaibreak.stretch_points(a[-4:] + b[:4]) if a and b else []
            between[k] = int(len(a[-4:]) in pts)
    sep = [0.0] + [0.0 if (glued_flags[k] or widths[k] <= 0) else space_widths[k] for k in range(1, n)]
    has_text = [bool(t.strip()) for t in texts]
    cap = CAP_EM * size
    inf = float("inf")
    best = [inf] * (n + 1)
    prev = [0] * (n + 1)
    best[0] = 0.0
    for j in range(1, n + 1):
        acc = 0.0
        slots = 0
        words_on_line = 0
        for i in range(j - 1, -1, -1):
            acc += widths[i] + (sep[i + 1] if i + 1 < j else 0.0)
            slots += inner[i] + (between[i + 1] if i + 1 < j else 0)
            words_on_line += has_text[i]
            avail = first_w if i == 0 else rest_w
            if acc > avail + _FUZZ and i < j - 1:
                break
            if best[i] == inf:
                continue
            if j == n:
                cost = WIDOW if (words_on_line < 2 and i > 0) else 0.0
            else:
                slack = avail - acc
                per = slack / slots if slots else inf
                # at most (10 + 100)^2 for a line within the cap
                cost = (10.0 + 100.0 * (per / cap) ** 3) ** 2 if per <= cap else RAGGED + slack
            total_cost = best[i] + cost
            if total_cost < best[j]:
                best[j] = total_cost
                prev[j] = i
    starts = set()
    j = n
    while j > 0:
        i = prev[j]
        if i > 0:
            starts.add(i)
        j = i
    return frozenset(starts)
