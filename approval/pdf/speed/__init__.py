"""The speed layer: the same PDF, sooner.

Every patch here leaves the output byte for byte as it was (the golden
hashes of tests/pdf/test_golden_bytes.py say so) and only saves work.
Importing the package declares them in :mod:`approval.pdf.registry`.

- :mod:`.wrap` -- 8. table cells measured once.
- :mod:`.numbers` -- 9. numbers in content streams, remembered.
- :mod:`.css` -- 10. the CSS of table cells shared across rows;
  13. CSS values onto frags.
- :mod:`.tables` -- 11. grid tables and fewer table style commands;
  12. no empty graphics state per paragraph.
- :mod:`.fontfiles` -- 14. the @font-face files of faces registered at
  start not fetched again.
- :mod:`.images` -- 15. images compressed once per process.
- :mod:`.collector` -- the cyclic garbage collector paused during a render
  (not a patch: a context manager the renderer enters).
"""

from . import collector, css, fontfiles, images, numbers, tables, wrap

__all__ = ["collector", "css", "fontfiles", "images", "numbers", "tables", "wrap"]
