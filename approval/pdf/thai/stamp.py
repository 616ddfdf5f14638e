"""Deterministic output: the same memo renders to the same bytes.

7. ``PmlBaseDoc._makeCanvas``: during :func:`render_date`, the PDF gets a
   fixed timestamp (the memo's creation date) and an invariant ID.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from hashlib import md5

from reportlab.lib.utils import TimeStamp

from ..registry import ORIGINALS, patch

MAKE_CANVAS = "xhtml2pdf.xhtml2pdf_reportlab:PmlBaseDoc._makeCanvas"

#: The creation date of the document being rendered, when it is a memo.
RENDER_DATE: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "pdf_render_date", default=None
)


@contextlib.contextmanager
def render_date(created_at: dt.datetime | None):
    """Renders inside get ``created_at`` as their fixed creation date."""
    token = RENDER_DATE.set(created_at)
    try:
        yield
    finally:
        RENDER_DATE.reset(token)


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


@patch(MAKE_CANVAS, layer="thai", original_sha256="7b959038128602dd",
       why="ReportLab stamps the clock into the PDF: the same memo would never render to the same bytes")
def _makeCanvas(self, filename=None, canvasmaker=None):
    canv = ORIGINALS[MAKE_CANVAS](self, filename=filename, canvasmaker=canvasmaker)
    moment = RENDER_DATE.get()
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

