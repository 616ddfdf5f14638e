"""Previews of memos not yet decided, rendered once per content and kept on disk.

A decided memo has its frozen PDF (services.documents.freeze, at the order): nothing here
touches that guarantee. A memo in flight is previewed (marked ร่าง) on every view; rendering
takes 0.2-0.3 s of CPU, more with attachments and signatures. The preview is a pure function
of what is printed, so it is cached under a key made of:

- the memo's id, organisation and version (every edit and every chain action moves it);
- the print data itself (services.printing.memo_print_dict: the organisation's name, emblem
  and digit settings, the signers' names, positions and signature images as they would print,
  the attachments' list, the plan report), which also catches what changes without the
  memo's version (an assignee's new position, a new emblem, an organisation's settings);
- the renderer: the PDF templates and the code under approval/pdf (a deployment that
  changes them changes every key).

The same key is the response's ETag: a browser that has the preview asks with
If-None-Match and gets 304 without a render.

Where: a bounded folder on disk (PREVIEW_CACHE_DIR, default instance/preview-cache,
PREVIEW_CACHE_BYTES, default 200 MB), not an in-process LRU: gunicorn's workers share the
folder (a preview rendered by one worker is served by the other), it survives restarts, and
its memory is the kernel's page cache rather than each worker's heap. Files are written
atomically (a temporary name, then rename) with mode 0600; the oldest-used are removed past
the bound. Who may see a memo is decided before the cache is asked (memos.get_memo).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path

from ..config import INSTANCE_DIR, PROJECT_ROOT

log = logging.getLogger(__name__)
DEFAULT_BYTES = 200 * 1024 * 1024
_renderer_version: str | None = None
_prune_lock = threading.Lock()


def renderer_version() -> str:
    """A hash of the PDF templates and the renderer's code, once per process."""
    global _renderer_version
    if _renderer_version is None:
        digest = hashlib.sha256()
        roots = [PROJECT_ROOT / "templates" / "pdf", Path(__file__).resolve().parent.parent / "pdf",
                 Path(__file__).resolve().parent / "printing.py"]
        for root in roots:
            files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()
                                                         and p.suffix in (".py", ".html", ".css"))
            for path in files:
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
        _renderer_version = digest.hexdigest()[:16]
    return _renderer_version


def preview_key(memo, data: dict) -> str:
    """The cache key (and ETag) of the preview of ``memo`` printed from ``data``."""
    payload = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    digest = hashlib.sha256()
    digest.update(f"{memo.organization_id}:{memo.id}:{memo.version}:{renderer_version()}\n".encode())
    digest.update(payload.encode())
    return f"p{memo.id}-{memo.version}-{digest.hexdigest()[:32]}"


def _settings() -> tuple[Path, int]:
    from flask import current_app, has_app_context

    if has_app_context():
        config = current_app.config
        folder = config.get("PREVIEW_CACHE_DIR") or os.path.join(current_app.instance_path, "preview-cache")
        return Path(folder), int(config.get("PREVIEW_CACHE_BYTES", DEFAULT_BYTES))
    return INSTANCE_DIR / "preview-cache", DEFAULT_BYTES


def cached(key: str) -> bytes | None:
    """The stored preview for ``key``, marked as used now; None when not there."""
    folder, limit = _settings()
    if limit <= 0:
        return None
    path = folder / f"{key}.pdf"
    try:
        content = path.read_bytes()
    except OSError:
        return None
    try:
        os.utime(path)  # used: the last to go
    except OSError:
        pass
    return content


def store(key: str, content: bytes) -> None:
    """Keep ``content`` under ``key``; past the bound, the least recently used go. Never fails a view."""
    folder, limit = _settings()
    if limit <= 0 or len(content) > limit:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = folder / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, folder / f"{key}.pdf")
        prune(folder, limit)
    except OSError:
        log.warning("preview cache: could not store %s", key, exc_info=True)


def prune(folder: Path, limit: int) -> int:
    """Remove the least recently used previews until the folder holds at most ``limit`` bytes."""
    with _prune_lock:
        entries = []
        total = 0
        for entry in os.scandir(folder):
            if entry.name.endswith(".pdf"):
                try:
                    stat = entry.stat()
                except OSError:
                    continue
                entries.append((stat.st_mtime, stat.st_size, entry.path))
                total += stat.st_size
        removed = 0
        if total <= limit:
            return 0
        for _mtime, size, path in sorted(entries):
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
            removed += 1
            if total <= limit:
                break
        return removed
