"""Process-wide settings of the PDF renderer, in one named place.

Called where a process starts -- the app factory (``flask run``, gunicorn's
``wsgi:app``, every ``flask`` CLI command such as render-memo), gunicorn's
``post_worker_init`` hook, the tests' conftest and the benchmark -- never
from inside a render.

- ``rl_config.useA85 = 0``: content streams zlib-compressed and left binary,
  not also ASCII85-encoded.  Without ReportLab's C accelerator the encoding
  is pure Python (~10% of a render) and the file is a fifth smaller.  It
  changes the PDF's bytes (not what the PDF shows or says), and ReportLab
  reads it from its global config as it writes each stream, so it cannot be
  set per document: it is part of what makes a memo's bytes the same in
  every process.  :func:`check_process` (called by every render) fails a
  render in a process that was not configured, rather than let it produce
  other bytes.
- With ``preload=True`` (a long-lived worker): the fonts, the dictionary and
  the patches loaded now rather than by the first request, then
  ``gc.freeze()``.  The dictionary trie, the fonts and the shaping caches
  are some half a million long-lived objects that every full collection of
  the cyclic garbage collector walked again -- 100-200 ms of each render.
  Moved to the permanent generation once, they are left alone (they are
  still freed by reference counting; only a cycle among them would stay).
  The collection first means nothing already garbage is kept.  This one is
  speed only: the bytes are the same with or without it.
"""

from __future__ import annotations

import gc
import threading

from reportlab import rl_config

#: The value every process renders with (see the module's docstring).
USE_A85 = 0

_lock = threading.Lock()
_frozen = False


def configure_process(*, preload: bool = False) -> None:
    """Apply the process-wide settings (idempotent; cheap unless ``preload``)."""
    global _frozen
    rl_config.useA85 = USE_A85
    if not preload:
        return
    from .render import install_thai_support

    install_thai_support()
    with _lock:
        if not _frozen:
            gc.collect()
            gc.freeze()
            _frozen = True


def check_process() -> None:
    """Fail loudly when this process renders with other settings than every other."""
    if rl_config.useA85 != USE_A85:
        raise RuntimeError(
            "the PDF renderer's process settings are not applied (rl_config.useA85 is "
            f"{rl_config.useA85!r}, not {USE_A85}): call approval.pdf.process.configure_process() "
            "where the process starts, or the same memo renders to other bytes"
        )
