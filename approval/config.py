"""Settings from the environment (DATABASE_URL, SECRET_KEY, ...)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
#: Keys that are public (in this repository, in tutorials): refused outside development and tests.
DEV_SECRET = "dev-only-not-secret"
PUBLIC_SECRETS = frozenset({"", DEV_SECRET, "dev", "secret", "changeme", "change-me", "test-secret"})


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'approval.sqlite3'}"
    # Heroku-style URLs and plain postgresql:// both go through psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def load_or_create_secret(instance_dir: Path) -> str:
    """The key in ``instance_dir/secret_key``, generated (random, mode 0600) on first use."""
    path = Path(instance_dir) / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def load_config() -> dict:
    """Defaults overridden by the environment; closed by default (production, no public key).

    Development is only ever asked for (APP_ENV=development). Without SECRET_KEY the key is
    read from (or generated into) instance/secret_key when the app is created.
    """
    env = os.environ.get("APP_ENV") or "production"
    return {
        "APP_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": _database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "STORAGE_DIR": os.environ.get("STORAGE_DIR", str(INSTANCE_DIR / "files")),
        # Signed audit checkpoints (services/anchors.py): the key, never in the database
        # (unset: derived from SECRET_KEY), and the folder of the exported, trusted copies.
        "AUDIT_ANCHOR_KEY": os.environ.get("AUDIT_ANCHOR_KEY") or None,
        "AUDIT_ANCHOR_DIR": os.environ.get("AUDIT_ANCHOR_DIR", str(INSTANCE_DIR / "anchors")),
        "PREVIEW_CACHE_DIR": os.environ.get("PREVIEW_CACHE_DIR") or None,
        # Every body stays small (5 MB); only the attachment upload routes take more, up to
        # ATTACHMENT_MAX_BYTES plus a margin for the multipart envelope (approval.attachments).
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(5 * 1024 * 1024))),
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024))),
        "MEMO_ATTACHMENTS_MAX_BYTES": int(os.environ.get("MEMO_ATTACHMENTS_MAX_BYTES", str(50 * 1024 * 1024))),
        # "database" (the default, as frozen PDFs) or "files" (under STORAGE_DIR/attachments,
        # the default when STORAGE_DIR is set in the environment).
        "ATTACHMENT_STORAGE": os.environ.get("ATTACHMENT_STORAGE",
                                             "files" if os.environ.get("STORAGE_DIR") else "database"),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(os.environ.get("SESSION_MAX_HOURS", "12"))),
        # The cookie is set at sign-in and not re-signed on every answer: the session's idle and
        # absolute limits are kept by its row (services.sessions), which the cookie only names.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "1" if env == "production" else "0") == "1",
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "WTF_CSRF_TIME_LIMIT": None,
        # OWASP ASVS 3.3: sessions end after this long without a request, and this long after sign-in.
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": int(os.environ.get("SESSION_MAX_HOURS", "12")),
        # Only a ceiling against floods: an office behind one NAT address must not be blocked.
        "LOGIN_ADDRESS_LIMIT": os.environ.get("LOGIN_ADDRESS_LIMIT", "300 per minute"),
        "API_TOKEN_HOURS": int(os.environ.get("API_TOKEN_HOURS", "12")),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "JSON_AS_ASCII": False,
        # Strict-Transport-Security max-age on answers over HTTPS (0: not sent); see web/security.py.
        "HSTS_SECONDS": int(os.environ.get("HSTS_SECONDS", "31536000")),
        # Seconds one PDF may take to lay out (preview or order); 0 renders in process
        # without a deadline.  Keep it below gunicorn's timeout (gunicorn.conf.py).
        "PDF_RENDER_SECONDS": float(os.environ.get("PDF_RENDER_SECONDS", "10")),
        # Load shedding (approval/web/shed.py): past this many requests served at once in one
        # worker process, 503 + Retry-After at once rather than a queue (0: off); a request a
        # trusted proxy stamped (X-Request-Start) more than SHED_QUEUE_SECONDS ago likewise.
        "SHED_MAX_IN_FLIGHT": int(os.environ.get("SHED_MAX_IN_FLIGHT", "8")),
        "SHED_QUEUE_SECONDS": float(os.environ.get("SHED_QUEUE_SECONDS", "2")),
        "SHED_TRUST_REQUEST_START": os.environ.get("SHED_TRUST_REQUEST_START") == "1",
        "SHED_RETRY_AFTER": int(os.environ.get("SHED_RETRY_AFTER", "2")),
    }
