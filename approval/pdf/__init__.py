"""The printed memo: HTML (Jinja2) -> PDF with xhtml2pdf, with Thai typesetting.

Public API:

- :func:`render_memo_pdf` -- the memo dict -> PDF bytes (deterministic).
- :func:`install_thai_support` -- fonts + xhtml2pdf patches, once per process
  (render_memo_pdf calls it; call it at app start-up to pay the ~1 s of
  dictionary and font loading before the first request).
- :func:`thai_layers` -- context manager turning the Thai layers off/on
  (the benchmark compares the two).
"""

from .patches import thai_layers
from .render import install_thai_support, render_memo_html, render_memo_pdf

__all__ = ["install_thai_support", "render_memo_html", "render_memo_pdf", "thai_layers"]
