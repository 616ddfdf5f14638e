"""The JSON API under /api/v1 (see API.md): bearer tokens, JSON errors, OpenAPI document.

The plan report's endpoints are in :mod:`approval.plan_report.api`, the acting officials' in
:mod:`approval.api.appointments`, on the same blueprint.
"""

from flask import Flask

from ..extensions import csrf
from .errors import register_routing_errors


def register_api(app: Flask) -> None:
    """Register /api/v1 (every feature's routes join one blueprint), CSRF-exempt, JSON errors."""
    from ..attachments import api as attachments_api  # noqa: F401  (its routes join bp)
    from ..notifications import api as notifications_api  # noqa: F401  (its routes join bp)
    from ..plan_report import api as plan_report_api  # noqa: F401  (its routes join bp)
    from ..signatures import api as signatures_api  # noqa: F401  (its routes join bp)
    from ..writing import api as writing_api  # noqa: F401  (its routes join bp)
    from . import (
        appointments,  # noqa: F401  (its routes join bp)
        chains,  # noqa: F401  (its routes join bp)
    )
    from .views import bp

    csrf.exempt(bp)
    register_routing_errors(app, bp.url_prefix)
    app.register_blueprint(bp)
