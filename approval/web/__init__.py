"""Blueprints for the pages: auth, memos, archive, admin; app-level error pages and security headers.

The plan report's pages (blueprint ``plans``) live in :mod:`approval.plan_report.views`.
"""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user

from .. import thai
from ..labels import (
    EVENT_LABELS,
    STATE_LABELS,
    STEP_DECISION_LABELS,
    STEP_STATUS_LABELS,
)
from ..models import ROLE_LABELS

#: Badge colour per memo state (Bootstrap text-bg-*).
STATE_BADGES = {
    "draft": "secondary", "in_review": "primary", "returned": "warning",
    "decided": "success", "archived": "dark", "cancelled": "light",
}
STEP_STATUS_BADGES = {"waiting": "light", "pending": "primary", "done": "success", "returned": "warning"}


def _value(obj):
    return getattr(obj, "value", obj)


def register_web(app: Flask) -> None:
    from ..plan_report import views as plans
    from . import admin, archive, auth, errors, health, memos, security

    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(memos.bp)
    app.register_blueprint(plans.bp)
    app.register_blueprint(archive.bp)
    app.register_blueprint(admin.bp)
    auth.init_login(app)
    errors.register_error_handlers(app)
    security.register_security_headers(app)

    # The navigation shows a link only when its blueprint is registered and the user has the role.
    from flask import current_app

    from ..models import Role
    app.jinja_env.globals.update(current_app=current_app, Role=Role)

    app.add_template_filter(thai.thai_date, "thai_date")
    app.add_template_filter(thai.thai_datetime, "thai_datetime")
    app.add_template_filter(thai.thai_digits, "thai_digits")
    app.add_template_filter(thai.money, "money")
    app.add_template_filter(thai.be_year, "be_year")

    @app.template_filter("capacity_label")
    def capacity_label(kind: str | None) -> str:
        from ..services.appointments import KIND_LABELS

        return KIND_LABELS.get(kind or "", "")

    @app.template_filter("state_label")
    def state_label(state) -> str:
        return {k.value: v for k, v in STATE_LABELS.items()}.get(_value(state), str(_value(state)))

    @app.template_filter("state_badge")
    def state_badge(state) -> str:
        return STATE_BADGES.get(_value(state), "secondary")

    @app.template_filter("step_status_label")
    def step_status_label(status) -> str:
        return STEP_STATUS_LABELS.get(_value(status), str(_value(status)))

    @app.template_filter("step_status_badge")
    def step_status_badge(status) -> str:
        return STEP_STATUS_BADGES.get(_value(status), "secondary")

    @app.template_filter("step_decision_label")
    def step_decision_label(decision) -> str:
        return STEP_DECISION_LABELS.get(_value(decision), "") if decision else ""

    @app.template_filter("event_label")
    def event_label(action) -> str:
        return EVENT_LABELS.get(action, action)

    @app.template_filter("role_labels")
    def role_labels(user) -> str:
        return ", ".join(ROLE_LABELS[r] for r in sorted(user.roles, key=lambda r: r.value))

    @app.context_processor
    def inject_nav():
        """The inbox badge, computed at most once per request and only for a signed-in user."""
        def inbox_badge() -> int:
            if "inbox_badge" not in g:
                from ..extensions import db
                from ..services import memos as memo_service

                g.inbox_badge = memo_service.inbox_count(db.session, current_user)
            return g.inbox_badge

        return {"inbox_badge": inbox_badge if current_user.is_authenticated else None,
                "state_choices": [(s.value, label) for s, label in STATE_LABELS.items()]}
