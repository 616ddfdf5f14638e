"""The JSON API under /api/v1 (see API.md)."""

from flask import Flask


def register_api(app: Flask) -> None:
    pass
