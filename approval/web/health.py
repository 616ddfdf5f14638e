"""A plain liveness probe for load balancers (and the throughput baseline of bench/web.py)."""

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    """Liveness and database reachability for the load balancer."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
