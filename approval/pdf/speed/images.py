"""Speed: images compressed once per process (the same image streams, sooner).

15. An image's compressed pixels remembered by the pixels' digest.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from collections import OrderedDict

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc

from ..registry import ORIGINALS, patch

LOAD_SRC = "reportlab.pdfbase.pdfdoc:PDFImageXObject.loadImageFromSRC"
#: Compressed image streams kept per process, and their bytes at most: an organisation's
#: emblem and a few dozen signers' signatures.
CACHE_ENTRIES = 64
CACHE_BYTES = 16 * 2**20

_cache: OrderedDict[bytes, bytes] = OrderedDict()
_cache_bytes = [0]
_lock = threading.Lock()


def _compressed(raw: bytes) -> bytes:
    key = hashlib.sha256(raw).digest()
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    content = zlib.compress(raw)  # what ReportLab stores: the same call on the same bytes
    with _lock:
        if key not in _cache and len(content) <= CACHE_BYTES:
            _cache[key] = content
            _cache_bytes[0] += len(content)
            while len(_cache) > CACHE_ENTRIES or _cache_bytes[0] > CACHE_BYTES:
                _, dropped = _cache.popitem(last=False)
                _cache_bytes[0] -= len(dropped)
    return content


@patch(LOAD_SRC, layer="speed", original_sha256="89a46524695fd626",
       why="every render compressed the same emblem and signature images again (zlib, ~6 ms a signature)")
def _loadImageFromSRC(self, im):
    """
    ReportLab compresses an image's decoded pixels (and its alpha channel, the
    soft mask) with zlib each time a document draws it: the organisation's
    emblem and the signers' signature images, at every render, some 30 ms of
    a memo with five of them.  The same pixels compress to the same bytes, so
    the compressed stream is kept, keyed by the SHA-256 of the pixels.  JPEGs
    (embedded as they are) and ASCII85 output go the original way.
    """
    if rl_config.useA85 or im.jpeg_fh():
        return ORIGINALS[LOAD_SRC](self, im)
    # The original's non-JPEG branch (reportlab 5.1.0), with the compression remembered.
    self.width, self.height = im.getSize()
    raw = im.getRGBData()
    self.streamContent = _compressed(raw)
    self._filters = ("FlateDecode",)
    self.colorSpace = pdfdoc._mode2CS[im.mode]
    self.bitsPerComponent = 8
    self._checkTransparency(im)
    return None
