"""The notifications' settings from the environment (see README, "Notifications")."""

from __future__ import annotations

import os


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def load_settings(env: str) -> dict:
    return {
        #: The site's address, for the links in e-mail and LINE messages.
        "APP_BASE_URL": os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000"),
        #: Job queue storage: unset -> SQLite file instance/huey.sqlite3; redis://host:6379/0 -> Redis.
        "HUEY_URL": os.environ.get("HUEY_URL", ""),
        "HUEY_NAME": os.environ.get("HUEY_NAME", "esaraban"),
        #: SMTP. Without MAIL_SERVER, development writes the message to the worker's log.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "สารบรรณอิเล็กทรอนิกส์ <no-reply@localhost>"),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "20")),
        #: LINE Messaging API. Without a token, development writes the message to the worker's log.
        "LINE_CHANNEL_TOKEN": os.environ.get("LINE_CHANNEL_TOKEN", ""),
        "LINE_API_BASE": os.environ.get("LINE_API_BASE", "https://api.line.me"),
        "LINE_TIMEOUT": float(os.environ.get("LINE_TIMEOUT", "20")),
        #: Retries: attempts before a delivery is dead; the first delay, doubling, capped.
        "NOTIFY_MAX_ATTEMPTS": int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "6")),
        "NOTIFY_RETRY_DELAY": float(os.environ.get("NOTIFY_RETRY_DELAY", "30")),
        "NOTIFY_RETRY_MAX_DELAY": float(os.environ.get("NOTIFY_RETRY_MAX_DELAY", "3600")),
        #: A claimed delivery whose worker died is claimed again after this many seconds.
        "NOTIFY_LEASE_SECONDS": float(os.environ.get("NOTIFY_LEASE_SECONDS", "300")),
        "NOTIFY_WORKERS": int(os.environ.get("NOTIFY_WORKERS", "2")),
    }
