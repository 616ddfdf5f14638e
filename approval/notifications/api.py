"""The notifications' endpoints of /api/v1, on the ``api`` blueprint (API.md, "Everyone's work").

``approval.api.register_api`` imports this module before it registers the blueprint; the
OpenAPI description is :mod:`approval.notifications.openapi`.
"""

from __future__ import annotations

from flask import g, jsonify, request

from ..api import serializers as out
from ..api.errors import ApiError
from ..api.parsing import json_object, query_int
from ..api.views import bp
from ..extensions import db
from ..transaction import commit
from . import service
from .models import Notification

SETTINGS_FIELDS = frozenset({"email", "channels", "line_user_id", "digest"})
PER_PAGE_MAX, PAGE_MAX = 100, 1_000_000


def notification(n: Notification) -> dict:
    """A Notification as the contract's JSON."""
    return {"id": n.id, "kind": n.kind.value, "memo_id": n.memo_id, "text": out.text(n.text),
            "created_at": out.when(n.created_at), "read_at": out.when(n.read_at)}


@bp.get("/notifications")
def list_notifications():
    """The caller's notifications and the unread count."""
    problems: dict[str, str] = {}
    unread = request.args.get("unread", "false")
    if unread not in ("true", "false", "1", "0"):
        problems["unread"] = "ต้องเป็น true หรือ false"
    page = query_int("page", 1, 1, PAGE_MAX, problems)
    per_page = query_int("per_page", 50, 1, PER_PAGE_MAX, problems)
    if problems:
        raise ApiError(422, "เงื่อนไขไม่ถูกต้อง", problems)
    items, unread_count = service.list_notifications(db.session, g.api_user, unread=unread in ("true", "1"),
                                                     page=page, per_page=per_page)
    return jsonify({"items": [notification(n) for n in items], "unread": unread_count})


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int):
    """Mark one notification read."""
    found = service.mark_read(db.session, g.api_user, notification_id)
    commit()
    return jsonify(notification(found))


@bp.post("/notifications/read-all")
def read_all_notifications():
    """Mark all read."""
    count = service.mark_all_read(db.session, g.api_user)
    commit()
    return jsonify({"marked": count, "unread": 0})


@bp.get("/me/notification-settings")
def get_notification_settings():
    """The caller's notification settings."""
    return jsonify(service.settings_dict(service.get_settings(db.session, g.api_user)))


@bp.put("/me/notification-settings")
def put_notification_settings():
    """Change the caller's notification settings."""
    data = json_object(SETTINGS_FIELDS)
    prefs = service.update_settings(db.session, g.api_user, data)
    commit()
    return jsonify(service.settings_dict(prefs))


def inbox_item(item) -> dict:
    """An inbox item: the memo (without steps and events), what it waits for, since when."""
    return {**out.memo(item.memo, full=False), "waiting_for": item.waiting_for,
            "waiting_since": out.when(item.since), "working_days": item.working_days}
