"""The OpenAPI description of the notifications' endpoints and of the inbox's items
(merged into ``approval.api.openapi.spec``, whose helpers are passed in)."""

from __future__ import annotations

from .models import Kind

WAITING_FOR = ["sign", "order", "revise", "archive"]


def schemas(existing: dict, _obj, _ref, _nullable, DATETIME) -> dict:
    summary = existing["MemoSummary"]
    return {
        "InboxItem": {"description": "A MemoSummary and what it waits for from the caller.", **_obj({
            **summary["properties"],
            "waiting_for": {"type": "string", "enum": WAITING_FOR},
            "waiting_since": DATETIME,
            "working_days": {"type": "integer", "minimum": 0,
                             "description": "Working days waited (weekends, Thai public holidays and the "
                                            "organisation's days off not counted)"},
        })},
        "InboxPage": _obj({"items": {"type": "array", "items": _ref("InboxItem")},
                           "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
                           "per_page": {"type": "integer", "minimum": 1, "maximum": 100}}),
        "Notification": _obj({
            "id": {"type": "integer"}, "kind": {"type": "string", "enum": [k.value for k in Kind]},
            "memo_id": _nullable({"type": "integer"}), "text": {"type": "string"},
            "created_at": DATETIME, "read_at": _nullable(DATETIME),
        }),
        "NotificationList": _obj({"items": {"type": "array", "items": _ref("Notification")},
                                  "unread": {"type": "integer", "minimum": 0}}),
        "NotificationSettings": _obj({
            "email": {"type": "string"}, "channels": _obj({"email": {"type": "boolean"}, "line": {"type": "boolean"}}),
            "line_user_id": {"type": "string"}, "digest": {"type": "boolean"},
        }),
        "NotificationSettingsInput": _obj({
            "email": {"type": "string", "maxLength": 254},
            "channels": _obj({"email": {"type": "boolean"}, "line": {"type": "boolean"}}, []),
            "line_user_id": {"type": "string", "maxLength": 64, "pattern": "^(U[0-9a-f]{32})?$"},
            "digest": {"type": "boolean"},
        }, []),
    }


def paths(_op, _json, _error, _body, BODY_ERRORS) -> dict:
    not_found = {"404": _error("No such notification of the caller (not_found)")}
    notification_id = {"name": "notification_id", "in": "path", "required": True,
                       "schema": {"type": "integer", "minimum": 1, "maximum": 2**62 - 1}}
    return {
        "/notifications": {"get": _op("The caller's notifications, newest first, and the unread count", {
            "200": _json("Notifications", "NotificationList"),
            "422": _error("Invalid query parameter (validation_error)"),
        }, op_id="listNotifications", tags=["notifications"], params=[
            {"name": "unread", "in": "query", "required": False,
             "schema": {"type": "string", "enum": ["true", "false"]}},
            {"name": "page", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}},
            {"name": "per_page", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
        ])},
        "/notifications/{notification_id}/read": {
            "parameters": [notification_id],
            "post": _op("Mark one notification read", {"200": _json("The notification", "Notification"),
                                                        **not_found},
                        op_id="readNotification", tags=["notifications"]),
        },
        "/notifications/read-all": {"post": _op("Mark all the caller's notifications read", {
            "200": {"description": "How many were marked", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"marked": {"type": "integer"}, "unread": {"type": "integer"}},
                "required": ["marked", "unread"], "additionalProperties": False}}}},
        }, op_id="readAllNotifications", tags=["notifications"])},
        "/me/notification-settings": {
            "get": _op("The caller's notification settings", {
                "200": _json("Settings", "NotificationSettings")}, op_id="getNotificationSettings",
                tags=["notifications"]),
            "put": _op("Change the caller's notification settings (fields left out keep their value)", {
                "200": _json("Settings", "NotificationSettings"), **BODY_ERRORS,
            }, op_id="putNotificationSettings", body=_body("NotificationSettingsInput"), tags=["notifications"]),
        },
    }
