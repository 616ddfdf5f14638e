"""The API's error body: {"error": {"code", "message", "fields"}} (fields only for 422)."""

from __future__ import annotations

from flask import jsonify

from ..errors import DomainError

MESSAGES = {
    400: ("bad_request", "คำขอไม่ถูกต้อง"),
    401: ("unauthenticated", "กรุณาเข้าสู่ระบบ"),
    403: ("forbidden", "ท่านไม่มีสิทธิ์ดำเนินการนี้"),
    404: ("not_found", "ไม่พบข้อมูลที่ร้องขอ"),
    405: ("method_not_allowed", "ไม่รองรับวิธีการเรียกนี้"),
    409: ("invalid_transition", "ไม่สามารถดำเนินการได้ในสถานะปัจจุบัน"),
    412: ("version_mismatch", "ข้อมูลถูกแก้ไขไปก่อนแล้ว กรุณาโหลดใหม่"),
    413: ("too_large", "ข้อมูลที่ส่งมีขนาดใหญ่เกินกำหนด"),
    415: ("unsupported_media_type", "ไม่รองรับชนิดข้อมูลนี้"),
    422: ("validation_error", "ข้อมูลไม่ถูกต้อง"),
    429: ("too_many_requests", "มีการเรียกใช้บ่อยเกินไป กรุณารอสักครู่แล้วลองใหม่"),
    500: ("internal_error", "ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง"),
    503: ("unavailable", "ระบบไม่พร้อมให้บริการชั่วคราว กรุณาลองใหม่อีกครั้ง"),
}


def json_error(status: int, code: str | None = None, message: str | None = None, fields: dict | None = None):
    """A Flask response in the contract's error form."""
    default_code, default_message = MESSAGES.get(status, ("error", "เกิดข้อผิดพลาด"))
    body = {"code": code or default_code, "message": message or default_message}
    if status == 422:
        body["fields"] = fields or {}
    return jsonify({"error": body}), status


def domain_error(exc: DomainError):
    return json_error(exc.status, exc.code, exc.message, exc.fields)
