"""The signatures' endpoints of /api/v1, on the ``api`` blueprint:
``GET /memos/<id>/signatures`` and ``POST /verify`` (public: anyone holding a PDF may ask)."""

from __future__ import annotations

from flask import g, jsonify, request

from ..api import serializers as out
from ..api import views as api_views
from ..api.errors import ApiError
from ..api.views import bp
from ..extensions import db, limiter
from ..services import memos
from . import service, verify

api_views.PUBLIC_ENDPOINTS.add("api.verify_pdf")


@bp.get("/memos/<int:memo_id>/signatures")
def memo_signatures(memo_id: int):
    """Every step signature of a memo and whether the PDF is signed."""
    memo = memos.get_memo(db.session, g.api_user, memo_id)
    loaded = service.memo_signatures(db.session, memo)
    seal = loaded.seal
    return jsonify({
        "items": [{
            "step": c["step"], "round": c["round"], "signer": out.user_summary(c["signer"]),
            "capacity": c["capacity"], "signed_at": out.when(c["signed_at"]),
            "certificate_sha256": c["certificate_sha256"], "valid": c["valid"],
        } for c in service.step_checks(db.session, memo, loaded)],
        "pdf_signed": bool(seal and seal.pdf_signed),
    })


@bp.post("/verify")
@limiter.limit("30 per minute")
def verify_pdf():
    """Check an uploaded PDF against the archive and its signatures (public)."""
    file = request.files.get("file")
    data = file.read() if file is not None else b""
    if not data:
        raise ApiError(422, "กรุณาแนบไฟล์ PDF ในช่อง file", {"file": "กรุณาแนบไฟล์ PDF"})
    report = verify.verify_pdf(db.session, data)
    return jsonify({
        "matches_memo_id": report.memo.id if report.memo is not None else None,
        "sha256": report.sha256,
        "signatures": [{"signer": s.signer, "valid": s.valid, "intact": s.intact} for s in report.signatures],
    })


def openapi_paths(op, json_response, error, memo_id_param, not_found) -> dict:
    """This module's paths for approval.api.openapi (built with its helpers)."""
    return {
        "/memos/{memo_id}/signatures": {"get": op(
            "Each step signature of the memo, checked; whether the frozen PDF is signed", {
                "200": json_response("The step signatures", "SignatureList"), **not_found,
            }, op_id="getMemoSignatures", params=[memo_id_param], tags=["signatures"])},
        "/verify": {"post": op(
            "Verify a PDF: is it the archived original, and do its signatures hold (no sign-in)", {
                "200": json_response("The verification", "VerifyResult"),
                "413": error("File larger than the server accepts (too_large)"),
                "422": error("No file in the multipart field file (validation_error)"),
                "429": error("Too many requests (too_many_requests)"),
            }, op_id="verifyPdf", public=True, tags=["signatures"],
            body={"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}}}}}})},
    }


def openapi_schemas(ref) -> dict:
    """The signatures' schemas for the OpenAPI document."""
    return {
        "SignatureList": {"type": "object", "additionalProperties": False, "required": ["items", "pdf_signed"],
                          "properties": {
                              "items": {"type": "array", "items": ref("StepSignature")},
                              "pdf_signed": {"type": "boolean"}}},
        "StepSignature": {"type": "object", "additionalProperties": False,
                          "required": ["step", "round", "signer", "capacity", "signed_at", "certificate_sha256",
                                       "valid"],
                          "properties": {
                              "step": {"type": "integer"}, "round": {"type": "integer"},
                              "signer": ref("UserSummary"), "capacity": {"type": "string"},
                              "signed_at": {"type": "string", "format": "date-time"},
                              "certificate_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                              "valid": {"type": "boolean"}}},
        "VerifyResult": {"type": "object", "additionalProperties": False,
                         "required": ["matches_memo_id", "sha256", "signatures"],
                         "properties": {
                             "matches_memo_id": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                             "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                             "signatures": {"type": "array", "items": {
                                 "type": "object", "additionalProperties": False,
                                 "required": ["signer", "valid", "intact"],
                                 "properties": {"signer": {"type": "string"}, "valid": {"type": "boolean"},
                                                "intact": {"type": "boolean"}}}}}},
    }
