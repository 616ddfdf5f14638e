"""App-level error pages in Thai; JSON in the contract's form for paths under /api/."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ..api.errors import json_error
from ..errors import Conflict, DomainError
from ..extensions import db
from ..services import security_log
from ..transaction import CONFLICT_MESSAGE, is_conflict

TITLES = {
    400: ("คำขอไม่ถูกต้อง", "ระบบไม่เข้าใจคำขอนี้ กรุณาลองใหม่จากหน้าเดิม"),
    403: ("ไม่มีสิทธิ์", "ท่านไม่มีสิทธิ์ดำเนินการนี้"),
    404: ("ไม่พบหน้าที่ต้องการ", "ไม่พบข้อมูลที่ร้องขอ หรือท่านไม่มีสิทธิ์เข้าถึง"),
    405: ("ไม่รองรับวิธีการเรียกนี้", "หน้านี้ไม่รองรับวิธีการเรียกนี้"),
    409: ("ดำเนินการไม่ได้", "ไม่สามารถดำเนินการได้ในสถานะปัจจุบัน"),
    413: ("ไฟล์ใหญ่เกินไป", "ข้อมูลหรือไฟล์ที่ส่งมีขนาดใหญ่เกินกำหนด"),
    422: ("ข้อมูลไม่ถูกต้อง", "ข้อมูลไม่ถูกต้อง กรุณาตรวจสอบ"),
    429: ("เรียกใช้บ่อยเกินไป", "มีการเรียกใช้บ่อยเกินไป กรุณารอสักครู่แล้วลองใหม่"),
    500: ("ระบบขัดข้อง", "ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง หากยังพบปัญหาโปรดแจ้งผู้ดูแลระบบ"),
    503: ("ระบบไม่พร้อมให้บริการชั่วคราว", "ระบบไม่พร้อมให้บริการชั่วคราว กรุณาลองใหม่อีกครั้งในอีกสักครู่"),
}
#: The page when the database is out of reach: no template, no session, no database.
BARE_PAGE = """<!doctype html><html lang="th"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>{message}</p></body></html>"""
CSRF_MESSAGE = "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _page(status: int, message: str | None = None):
    title, default = TITLES.get(status, ("เกิดข้อผิดพลาด", "เกิดข้อผิดพลาด"))
    return render_template("errors/error.html", status=status, title=title, message=message or default), status


def register_error_handlers(app: Flask) -> None:
    """Thai error pages for the site, the contract's JSON under /api/."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        """A stale or missing form token: 400 with a Thai hint to reload."""
        security_log.record("csrf", exc.description or "")
        if _is_api():
            return json_error(400, "bad_request", CSRF_MESSAGE)
        return _page(400, CSRF_MESSAGE)

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        """A refusal from the rules or a service: roll back, answer its status and Thai message."""
        db.session.rollback()
        security_log.record_refusal(exc)
        if _is_api():
            return json_error(exc.status, exc.code, exc.message, exc.fields)
        return _page(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        """Werkzeug's HTTP errors as Thai pages (redirects and rare codes pass through)."""
        status = exc.code or 500
        if status == 403:
            security_log.record("forbidden", exc.description or "")
        if _is_api():
            return json_error(status)
        if status not in TITLES and status < 500:
            return exc  # redirects and the rarer codes keep werkzeug's own response
        response, code = _page(status if status in TITLES else 500)
        if status == 405 and getattr(exc, "valid_methods", None):
            return response, code, {"Allow": ", ".join(exc.valid_methods)}
        return response, code

    @app.errorhandler(StaleDataError)
    def lost_race(exc: Exception):
        """A race lost outside the unit of work (an autoflush, say): 409 like any other."""
        return domain_error(Conflict(CONFLICT_MESSAGE))

    @app.errorhandler(DBAPIError)
    def database_unavailable(exc: DBAPIError):
        """The database is unreachable (or failed mid-request): 503, never a traceback."""
        if is_conflict(exc):
            return lost_race(exc)
        if isinstance(exc, IntegrityError):  # a CHECK / NOT NULL violation: our bug, not a race
            app.logger.error("integrity error (not a race)", exc_info=exc)
            db.session.rollback()
            return _page(500)
        app.logger.error("database error: %s", exc.__class__.__name__, exc_info=exc)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 (nothing more to undo when the connection is gone)
            app.logger.warning("rollback failed after a database error")
        if _is_api():
            return json_error(503)
        title, message = TITLES[503]
        try:  # the usual page, unless drawing it needs the database too (the signed-in user)
            return _page(503)
        except Exception:  # noqa: BLE001 (the page itself needed the database)
            return BARE_PAGE.format(title=escape(title), message=escape(message)), 503, {
                "Content-Type": "text/html; charset=utf-8", "Retry-After": "30"}

    @app.errorhandler(Exception)
    def internal_error(exc: Exception):
        """Anything unexpected: logged, rolled back, a Thai 500 page with no traceback."""
        if isinstance(exc, HTTPException):
            return http_error(exc)
        app.logger.exception("unhandled error")
        db.session.rollback()
        if _is_api():
            return json_error(500)
        return _page(500)
