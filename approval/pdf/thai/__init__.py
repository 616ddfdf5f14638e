"""The Thai layer: what xhtml2pdf needs to print Thai correctly.

xhtml2pdf knows nothing of Thai: it breaks lines only at spaces and draws
each character's default glyph, so long Thai phrases run off the page and
tone marks collide with upper vowels (ที่ prints like ที).  The patches
here fix both, and make the output deterministic.  Importing the package
declares them in :mod:`approval.pdf.registry`; ``registry.install()``
applies them.

- :mod:`.shaping` -- 1. shaping at draw time with /ActualText; 2. ToUnicode.
- :mod:`.words` -- 3. words cut at Thai word boundaries.
- :mod:`.lines` -- 4. line breaking with glued words; 5. a paragraph split
  across pages; 6. minWidth.
- :mod:`.stamp` -- 7. a fixed timestamp and file ID.
- :mod:`.justify` -- 8. justified lines spread their slack over character
  clusters, with a cap; the breaks chosen for the paragraph as a whole.
"""

from . import justify, lines, shaping, stamp, words

__all__ = ["justify", "lines", "shaping", "stamp", "words"]
