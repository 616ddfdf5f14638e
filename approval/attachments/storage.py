"""Where an attachment's bytes live.

``ATTACHMENT_STORAGE = "database"`` (the default): in the row, as the frozen PDFs are; the
database backup carries them. ``"files"`` (the default when ``STORAGE_DIR`` is set in the
environment): under ``STORAGE_DIR/attachments/<aa>/<bb>/<sha256>``, content-addressed (one
copy of identical files), written to a temporary file in the same folder, flushed to disk,
then renamed into place, so that a reader never sees half a file. ``flask backup`` copies
``STORAGE_DIR`` with the database. Each row records where its bytes are, so that changing
the setting later leaves older files readable.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import current_app

from .models import Attachment

SUBDIR = "attachments"


def mode() -> str:
    chosen = current_app.config.get("ATTACHMENT_STORAGE") or "database"
    return "files" if chosen == "files" else "database"


def root() -> Path:
    return Path(current_app.config["STORAGE_DIR"]) / SUBDIR


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256")
    return root() / sha256[:2] / sha256[2:4] / sha256


def put(attachment: Attachment, content: bytes) -> None:
    """Keep ``content`` for the row (whose sha256 is set) where the settings say."""
    if mode() == "database":
        attachment.stored_in, attachment.content = "database", content
        return
    target = path_for(attachment.sha256)
    attachment.stored_in, attachment.content = "files", None
    if target.is_file() and target.stat().st_size == len(content):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o640)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read(attachment: Attachment) -> bytes | None:
    """The stored bytes (None when the file is missing)."""
    if attachment.stored_in == "database":
        return attachment.content
    try:
        return path_for(attachment.sha256).read_bytes()
    except (OSError, ValueError):
        return None


def discard(sha256: str) -> None:
    """Delete a stored file no row refers to any more (the caller checks that)."""
    try:
        path_for(sha256).unlink(missing_ok=True)
    except (OSError, ValueError):
        pass
