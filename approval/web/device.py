"""The client of a sign-in attempt: a signed long-lived device cookie, else the address.

OWASP "device cookies": a browser that has signed in to an account before gets a cookie naming
that account and a random nonce, signed with the app's key. Its failures are counted apart
from everyone else's, so an attacker's failures (from anywhere else) never delay it.
"""

from __future__ import annotations

import secrets

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "device"
MAX_AGE = 365 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="device-cookie")


def _normal(username: str) -> str:
    return (username or "").strip().lower()


def client_for(username: str) -> str:
    """"d:<nonce>" when the request carries this account's device cookie, else "ip:<address>"."""
    raw = request.cookies.get(COOKIE)
    if raw and len(raw) < 500:
        try:
            data = _serializer().loads(raw)
        except BadSignature:
            data = None
        if isinstance(data, dict) and data.get("u") == _normal(username) and isinstance(data.get("n"), str):
            return "d:" + data["n"][:40]
    return "ip:" + (request.remote_addr or "unknown")


def issue(response: Response, username: str) -> Response:
    """Give the browser a device cookie for this account (after a successful sign-in)."""
    value = _serializer().dumps({"u": _normal(username), "n": secrets.token_urlsafe(16)})
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False), path="/")
    return response
