"""Security headers on every response (pages and API alike)."""

from __future__ import annotations

from flask import Flask, request

CSP = "; ".join([  # noqa: FLY002 - one directive a line reads better
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


#: A private page or API answer is kept by no cache (shared or the browser's). Static files
#: set their own (approval.web.assets): immutable when versioned.
NO_STORE = "no-store"


def register_security_headers(app: Flask) -> None:
    """Add the security headers (CSP, frame, referrer, no-store, HSTS over HTTPS) to every response.

    HSTS is sent only on a request that arrived over HTTPS: directly, or behind the one
    reverse proxy trusted with TRUST_PROXY=1 (werkzeug's ProxyFix then reads
    X-Forwarded-Proto; without it that header is ignored). HSTS_SECONDS sets its max-age
    (0: none).
    """
    hsts_seconds = int(app.config.get("HSTS_SECONDS", 31536000))

    @app.after_request
    def set_security_headers(response):
        """The headers themselves, on one response."""
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = NO_STORE
        if hsts_seconds and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts_seconds}; includeSubDomains")
        return response
