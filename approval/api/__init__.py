"""The JSON API under /api/v1 (see API.md): bearer tokens, JSON errors, OpenAPI document."""

from flask import Flask

from ..extensions import csrf
from .errors import register_routing_errors


def register_api(app: Flask) -> None:
    from .views import bp

    csrf.exempt(bp)
    register_routing_errors(app, bp.url_prefix)
    app.register_blueprint(bp)
