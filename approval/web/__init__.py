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
    """Register the pages' blueprints, error pages, security headers and template filters."""
    from ..attachments import views as attachments
    from ..notifications import views as notifications
    from ..plan_report import views as plans
    from ..signatures import views as signatures_views
    from ..writing import views as writing
    from . import admin, archive, assets, auth, errors, health, memos, security

    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(memos.bp)
    app.register_blueprint(plans.bp)
    app.register_blueprint(attachments.bp)
    auth.init_login(app)  # its per-request reset goes before every hook that reads current_user
    attachments.install(app)  # the upload limit, first of all (before CSRF reads a form)
    app.register_blueprint(archive.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(writing.bp)
    signatures_views.register(app)
    errors.register_error_handlers(app)
    security.register_security_headers(app)
    assets.init_app(app)
    from ..services import security_log

    security_log.init_app(app)

    # The navigation shows a link only when its blueprint is registered and the user has the role.
    from flask import current_app

    from ..models import Role
    app.jinja_env.globals.update(current_app=current_app, Role=Role)

    app.add_template_filter(thai.thai_date, "thai_date")
    app.add_template_filter(thai.thai_datetime, "thai_datetime")
    app.add_template_filter(thai.thai_digits, "thai_digits")
    app.add_template_filter(thai.money, "money")
    app.add_template_filter(thai.be_year, "be_year")

    @app.template_filter("paragraphs")
    def paragraphs(text) -> list[str]:
        """A section's body as the PDF prints it: each non-empty line one indented paragraph."""
        from ..pdf.render import _lines

        return _lines(text)

    @app.template_filter("capacity_label")
    def capacity_label(kind: str | None) -> str:
        from ..services.appointments import KIND_LABELS

        return KIND_LABELS.get(kind or "", "")

    @app.template_filter("state_label")
    def state_label(state) -> str:
        """A memo state's Thai name."""
        return {k.value: v for k, v in STATE_LABELS.items()}.get(_value(state), str(_value(state)))

    @app.template_filter("state_badge")
    def state_badge(state) -> str:
        """A memo state's badge colour."""
        return STATE_BADGES.get(_value(state), "secondary")

    @app.template_filter("step_status_label")
    def step_status_label(status) -> str:
        """A step status's Thai name."""
        return STEP_STATUS_LABELS.get(_value(status), str(_value(status)))

    @app.template_filter("step_status_badge")
    def step_status_badge(status) -> str:
        """A step status's badge colour."""
        return STEP_STATUS_BADGES.get(_value(status), "secondary")

    @app.template_filter("step_decision_label")
    def step_decision_label(decision) -> str:
        """What a signer decided, in Thai."""
        return STEP_DECISION_LABELS.get(_value(decision), "") if decision else ""

    @app.template_filter("event_label")
    def event_label(action) -> str:
        """An event's Thai name on the timeline."""
        return EVENT_LABELS.get(action, action)

    @app.template_filter("role_labels")
    def role_labels(user) -> str:
        """A person's roles, in Thai, comma-separated."""
        return ", ".join(ROLE_LABELS[r] for r in sorted(user.roles, key=lambda r: r.value))

    @app.context_processor
    def inject_nav():
        """The inbox badge and the bell, counted together at most once per page, only when signed in.

        The inbox page leaves the counts it read in ``g.nav_counts`` (taken once: in tests the app
        context, and so ``g``, outlives a request).
        """
        cache: dict[str, tuple[int, int]] = {}

        def counts() -> tuple[int, int]:
            """The navigation's counts (inbox, unread notifications), once per request."""
            if "counts" not in cache:
                from ..extensions import db
                from ..notifications import service as notifications

                known = g.pop("nav_counts", None)
                cache["counts"] = known if known is not None else notifications.nav_counts(db.session, current_user)
            return cache["counts"]

        def inbox_badge() -> int:
            """How many things wait for the signed-in person."""
            return counts()[0]

        def notification_badge() -> int:
            """How many of the person's notifications are unread."""
            return counts()[1]

        signed_in = current_user.is_authenticated
        return {"inbox_badge": inbox_badge if signed_in else None,
                "notification_badge": notification_badge if signed_in else None,
                "state_choices": [(s.value, label) for s, label in STATE_LABELS.items()]}
