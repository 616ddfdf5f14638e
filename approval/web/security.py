"""Security headers on every response (pages and API alike)."""

from __future__ import annotations

from flask import Flask

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


def register_security_headers(app: Flask) -> None:
    """Add the security headers (CSP, frame, referrer, no-store) to every response."""

    @app.after_request
    def set_security_headers(response):
        """The headers themselves, on one response."""
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
