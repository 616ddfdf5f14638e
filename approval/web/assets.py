"""What travels over the wire: versioned static files, compression, and caching headers.

- Static files get versioned URLs: ``url_for('static', filename=...)`` adds ``?v=<content
  hash>``, and a stylesheet's own ``url(...)`` references are rewritten the same way when it
  is served. A request carrying the current hash is answered ``Cache-Control: public,
  max-age=31536000, immutable``; any other (an old page, a hand-typed URL) ``no-cache`` with
  the ETag, so it revalidates. A new deployment changes the hash of what changed, nothing else.
- Text static files (CSS, JS, SVG) are compressed once per process, Brotli (quality 11)
  and gzip (level 9), and served in the encoding the browser accepts (``Vary:
  Accept-Encoding``); fonts are WOFF2 (already compressed).
- Pages and API answers (HTML, JSON) are compressed per response by Flask-Compress
  (Brotli quality 4, else gzip level 6). The session cookie is SameSite=Lax, so another
  site cannot make a browser send it on the many requests a BREACH-style guess needs.
- Every other answer without its own Cache-Control is private: ``no-store`` (pages, API,
  PDFs, images); see :mod:`approval.web.security`.

Behind a reverse proxy that already compresses, set COMPRESS_REGISTER=False (Flask-Compress
then stays out of the way); the proxy may also serve /static itself with the same headers.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, Response, abort, request

#: A year: the longest max-age browsers honour; ``immutable`` spares even the reload's revalidation.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = {"text/css", "text/javascript", "application/javascript", "image/svg+xml", "application/json",
                "text/plain"}
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')?#]+)([^"')]*)\1\s*\)""")


@dataclass
class Asset:
    """One static file as served: its bytes (a stylesheet's references versioned), hash, encodings."""

    data: bytes
    mimetype: str
    version: str
    encoded: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def etag(self) -> str:
        return self.version

    def body(self, encoding: str) -> bytes:
        """The bytes in ``encoding`` ("br", "gzip" or "" for identity), compressed once."""
        if not encoding:
            return self.data
        with self.lock:
            if encoding not in self.encoded:
                if encoding == "br":
                    import brotli

                    self.encoded[encoding] = brotli.compress(self.data, quality=11)
                else:
                    self.encoded[encoding] = gzip.compress(self.data, compresslevel=9, mtime=0)
            return self.encoded[encoding]


class Assets:
    """The static folder, read once per process (a deployment restarts the workers)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder).resolve()
        self._assets: dict[str, Asset | None] = {}
        self._lock = threading.Lock()

    def get(self, filename: str) -> Asset | None:
        """The asset for a path under the static folder; None when there is no such file."""
        if filename in self._assets:
            return self._assets[filename]
        path = (self.folder / filename).resolve()
        asset = None
        if path.is_file() and path.is_relative_to(self.folder):
            data = path.read_bytes()
            mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix == ".woff2":
                mimetype = "font/woff2"
            if mimetype == "text/css":
                data = self._version_references(filename, data)
            asset = Asset(data=data, mimetype=mimetype, version=hashlib.sha256(data).hexdigest()[:16])
        with self._lock:
            self._assets[filename] = asset
        return asset

    def version(self, filename: str) -> str | None:
        asset = self.get(filename)
        return asset.version if asset is not None else None

    def _version_references(self, filename: str, data: bytes) -> bytes:
        """A stylesheet's relative url(...) references with the referenced file's version."""
        base = Path(filename).parent

        def versioned(match: re.Match) -> str:
            quote, target, rest = match.groups()
            if ":" in target or target.startswith("/") or rest:
                return match.group(0)
            resolved = (self.folder / base / target).resolve()
            if not resolved.is_relative_to(self.folder):
                return match.group(0)
            version = self.version(str(resolved.relative_to(self.folder)))
            if version is None:
                return match.group(0)
            return f"url({quote}{target}?v={version}{quote})"

        return _CSS_URL.sub(versioned, data.decode("utf-8")).encode("utf-8")


def _accepted_encoding(asset: Asset) -> str:
    if asset.mimetype not in COMPRESSIBLE or len(asset.data) < 512:
        return ""
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if accepted[encoding] > 0:
            return encoding
    return ""


def init_app(app: Flask) -> None:
    """Versioned static URLs and their answers; compression of pages and API answers."""
    assets = Assets(app.static_folder)
    app.extensions["assets"] = assets

    @app.url_defaults
    def _static_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = assets.version(values["filename"])
            if version is not None:
                values["v"] = version

    def static(filename: str) -> Response:
        """A static file: immutable when asked for by its current version, else revalidated."""
        asset = assets.get(filename)
        if asset is None:
            abort(404)
        encoding = _accepted_encoding(asset)
        etag = f"{asset.etag}-{encoding}" if encoding else asset.etag
        response = Response(status=200, mimetype=asset.mimetype)
        response.set_etag(etag)
        response.headers["Cache-Control"] = IMMUTABLE if request.args.get("v") == asset.version else REVALIDATE
        if asset.mimetype in COMPRESSIBLE:
            response.vary.add("Accept-Encoding")
        if request.if_none_match.contains(etag):
            response.status_code = 304
            return response
        if encoding:
            response.headers["Content-Encoding"] = encoding
        response.set_data(asset.body(encoding))
        return response

    app.view_functions["static"] = static

    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "application/json", "application/problem+json",
                                                 "text/plain", "text/csv"])
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    app.config.setdefault("COMPRESS_LEVEL", 6)
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    if app.config.get("COMPRESS_REGISTER", True):
        from flask_compress import Compress

        Compress(app)
