"""The API's error body: {"error": {"code", "message", "fields"}} (fields only for 422)."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
)

from ..errors import Conflict, DomainError
from ..extensions import db
from ..services import security_log
from ..transaction import CONFLICT_MESSAGE, is_conflict

MESSAGES = {
    400: ("bad_request", "คำขอไม่ถูกต้อง"),
    401: ("unauthenticated", "กรุณาเข้าสู่ระบบ"),
    403: ("forbidden", "ท่านไม่มีสิทธิ์ดำเนินการนี้"),
    404: ("not_found", "ไม่พบข้อมูลที่ร้องขอ"),
    405: ("method_not_allowed", "ไม่รองรับวิธีการเรียกนี้"),
    409: ("invalid_transition", "ไม่สามารถดำเนินการได้ในสถานะปัจจุบัน"),  # or "conflict": a lost race
    412: ("version_mismatch", "ข้อมูลถูกแก้ไขไปก่อนแล้ว กรุณาโหลดใหม่"),
    413: ("too_large", "ข้อมูลที่ส่งมีขนาดใหญ่เกินกำหนด"),
    415: ("unsupported_media_type", "ไม่รองรับชนิดข้อมูลนี้"),
    422: ("validation_error", "ข้อมูลไม่ถูกต้อง"),
    429: ("too_many_requests", "มีการเรียกใช้บ่อยเกินไป กรุณารอสักครู่แล้วลองใหม่"),
    500: ("internal_error", "ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง"),
    503: ("unavailable", "ระบบไม่พร้อมให้บริการชั่วคราว กรุณาลองใหม่อีกครั้ง"),
}


class ApiError(Exception):
    """Raised by the API layer itself (parsing, authentication) and rendered like a DomainError."""

    def __init__(self, status: int, message: str | None = None, fields: dict | None = None,
                 code: str | None = None):
        super().__init__(message or MESSAGES.get(status, ("", ""))[1])
        self.status, self.message, self.fields, self.code = status, message, fields, code


def json_error(status: int, code: str | None = None, message: str | None = None, fields: dict | None = None):
    """A Flask response in the contract's error form."""
    default_code, default_message = MESSAGES.get(status, ("error", "เกิดข้อผิดพลาด"))
    body = {"code": code or default_code, "message": message or default_message}
    if status == 422:
        body["fields"] = fields or {}
    return jsonify({"error": body}), status


def domain_error(exc: DomainError):
    """A DomainError as the contract's error body."""
    return json_error(exc.status, exc.code, exc.message, exc.fields)


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the error response matters more than a failed rollback
        current_app.logger.exception("rollback failed")


def _on_domain_error(exc: DomainError):
    _rollback()
    security_log.record_refusal(exc)
    if getattr(exc, "ends_session", False):
        _revoke_current_token()
    response, status = domain_error(exc)
    if getattr(exc, "retry_after", None):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response, status


def _revoke_current_token() -> None:
    """Too many wrong confirmations on this token: it is revoked (and the refusal stands)."""
    from flask import g

    from ..services import accounts, security_log
    from ..transaction import commit

    token = g.get("api_token")
    if token is None:
        return
    accounts.revoke_token(token)
    commit()
    security_log.record("session_ended", "confirmation_failed: token revoked", user=g.get("api_user"),
                        address=request.remote_addr, route=request.path)


def _on_api_error(exc: ApiError):
    _rollback()
    if exc.status == 401 and request.endpoint != "api.issue_token":  # bad passwords: login_failed
        security_log.record("bad_token", exc.message or "")
    response, status = json_error(exc.status, exc.code, exc.message, exc.fields)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response, status


def _on_http_error(exc: HTTPException):
    _rollback()
    status = exc.code or 500
    if status < 400:  # a redirect raised as an exception: keep Werkzeug's response
        return exc
    response, status = json_error(status)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response, status


def _on_internal_error(exc: Exception):
    if isinstance(exc, HTTPException) and not isinstance(exc, InternalServerError):
        return _on_http_error(exc)
    current_app.logger.exception("unhandled error in the API")
    _rollback()
    return json_error(500)


def _on_lost_race(exc: Exception):
    """A race lost outside the unit of work (an autoflush, say): 409 ``conflict``."""
    return _on_domain_error(Conflict(CONFLICT_MESSAGE))


def _on_database_error(exc: DBAPIError):
    if is_conflict(exc):
        return _on_lost_race(exc)
    if isinstance(exc, IntegrityError):  # a CHECK / NOT NULL violation: our bug, not a race
        current_app.logger.error("integrity error in the API (not a race)", exc_info=exc)
        _rollback()
        return json_error(500)
    current_app.logger.error("database error in the API: %s", exc.__class__.__name__, exc_info=exc)
    _rollback()
    response, status = json_error(503)
    response.headers["Retry-After"] = "30"
    return response, status


def register_blueprint_handlers(bp: Blueprint) -> None:
    """Every error raised while an API view runs becomes the contract's JSON (called once, at import)."""
    bp.register_error_handler(DomainError, _on_domain_error)
    bp.register_error_handler(ApiError, _on_api_error)
    bp.register_error_handler(HTTPException, _on_http_error)
    bp.register_error_handler(InternalServerError, _on_internal_error)
    bp.register_error_handler(DBAPIError, _on_database_error)  # database unreachable: 503
    bp.register_error_handler(StaleDataError, _on_lost_race)
    bp.register_error_handler(Exception, _on_internal_error)


def register_routing_errors(app: Flask, prefix: str) -> None:
    """Unknown URLs and wrong methods under the prefix answer in JSON too.

    They never reach the blueprint's handlers (the request has no blueprint), so they are
    answered before any view runs.
    """

    @app.before_request
    def _api_routing_errors():
        exc = request.routing_exception
        if exc is None or not (request.path == prefix or request.path.startswith(prefix + "/")):
            return None
        if isinstance(exc, MethodNotAllowed):
            response, status = json_error(405)
            if exc.valid_methods:
                response.headers["Allow"] = ", ".join(exc.valid_methods)
            return response, status
        if isinstance(exc, NotFound):
            return json_error(404)
        return None
