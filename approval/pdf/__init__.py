"""The printed memo: HTML (Jinja2) -> PDF with xhtml2pdf, with Thai typesetting.

Public API:

- :func:`render_memo_pdf` -- the memo dict -> PDF bytes (deterministic).
- :func:`install_thai_support` -- fonts, dictionary and the xhtml2pdf
  patches of :mod:`.thai` and :mod:`.speed` (see :mod:`.registry`), once per
  process; render_memo_pdf calls it.
- :func:`configure_process` -- the process-wide settings (:mod:`.process`),
  called where a process starts.
- :func:`thai_layers` -- context manager turning the Thai and speed layers
  off/on (off is stock xhtml2pdf; the benchmark compares the two).

The names are imported lazily: the app factory calls configure_process
without loading xhtml2pdf.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "configure_process": ".process",
    "install_thai_support": ".render",
    "render_memo_html": ".render",
    "render_memo_pdf": ".render",
    "thai_layers": ".registry",
}

__all__ = ["configure_process", "install_thai_support", "render_memo_html", "render_memo_pdf", "thai_layers"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
