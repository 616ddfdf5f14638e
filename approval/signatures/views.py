"""The public verification pages (no sign-in): ``/verify`` (drop a PDF), ``/verify/<token>`` (the
printed copy's QR code), the organisation CA's certificate and CRL; and the memo page's panel."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, render_template, request

from ..extensions import db, limiter
from ..models import Memo, MemoState
from . import service, verify

bp = Blueprint("signatures", __name__)

#: Uploads and token look-ups per address: verification is public, so it is bounded.
VERIFY_LIMIT = "30 per minute"
HONEST_TIER = (
    "ลายมือชื่อในระบบนี้เป็นลายมือชื่ออิเล็กทรอนิกส์ที่ใช้กุญแจส่วนตัวของผู้ลงนามแต่ละคน "
    "ซึ่งเปิดใช้ได้ด้วยรหัสผ่านของผู้ลงนามเท่านั้น และใบรับรองออกโดยหน่วยรับรองภายในของหน่วยงานเอง "
    "มุ่งให้เป็นลายมือชื่อที่เชื่อถือได้ตามมาตรา ๒๖ แห่ง พ.ร.บ. ว่าด้วยธุรกรรมทางอิเล็กทรอนิกส์ "
    "แต่ไม่ใช่ใบรับรองจากผู้ให้บริการออกใบรับรองที่ได้รับอนุญาต (ไม่มีผู้ออกใบรับรองระดับชาติ) "
    "และไม่มีการประทับรับรองเวลาจากหน่วยงานภายนอก เว้นแต่ผู้ดูแลระบบกำหนด"
)


def _memo_summary(memo: Memo, seal) -> dict:
    checks = service.step_checks(db.session, memo)
    pdf = verify.check_pdf_signatures(db.session, memo.document.content) if memo.document is not None else []
    return {"memo": memo, "seal": seal, "checks": checks, "pdf": pdf,
            "sha256": memo.document.sha256 if memo.document is not None else None}


@bp.get("/verify/<token>")
@limiter.limit(VERIFY_LIMIT)
def by_token(token: str):
    """The public verification page a printed copy's QR code opens."""
    seal = verify.seal_by_token(db.session, token)
    if seal is None:
        abort(404)
    memo = db.session.get(Memo, seal.memo_id)
    return render_template("signatures/token.html", honest=HONEST_TIER, **_memo_summary(memo, seal))


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(VERIFY_LIMIT, methods=["POST"])
def upload():
    """Drop a PDF and learn whether it is the archived original and its signatures hold."""
    if request.method == "GET":
        return render_template("signatures/verify.html", report=None, honest=HONEST_TIER)
    file = request.files.get("file")
    data = file.read() if file is not None else b""
    if not data:
        return render_template("signatures/verify.html", report=None, error="กรุณาเลือกไฟล์ PDF",
                               honest=HONEST_TIER), 400
    report = verify.verify_pdf(db.session, data)
    seal = service.seal_for(db.session, report.memo.id) if report.memo is not None else None
    return render_template("signatures/verify.html", report=report, seal=seal, honest=HONEST_TIER)


@bp.get("/verify/ca/<int:organization_id>.cer")
def ca_certificate(organization_id: int):
    """The organisation CA's certificate (public)."""
    authority = verify.ca_for(db.session, organization_id)
    if authority is None:
        abort(404)
    response = Response(authority.certificate, mimetype="application/pkix-cert")
    response.headers["Content-Disposition"] = f'attachment; filename="e-saraban-ca-{organization_id}.cer"'
    return response


@bp.get("/verify/ca/<int:organization_id>.crl")
def ca_crl(organization_id: int):
    """The organisation CA's revocation list (public)."""
    authority = verify.ca_for(db.session, organization_id)
    if authority is None or not authority.crl:
        abort(404)
    response = Response(authority.crl, mimetype="application/pkix-crl")
    response.headers["Content-Disposition"] = f'attachment; filename="e-saraban-ca-{organization_id}.crl"'
    return response


def memo_panel(memo: Memo) -> dict:
    """The memo page's panel: each step signature checked, the document's seal."""
    decided = memo.state in (MemoState.DECIDED, MemoState.ARCHIVED)
    if not decided and not any(step.signed_at is not None for step in memo.steps):
        # Nothing signed yet (a memo just submitted): each step signature is made by its step's
        # signing act, so there is none to read, and no seal before the decision.
        return {"checks": [], "seal": None, "honest": HONEST_TIER}
    loaded = service.memo_signatures(db.session, memo)  # the signatures, the CA and the seal: one query
    checks = service.step_checks(db.session, memo, loaded)
    return {"checks": checks, "seal": loaded.seal if decided else None, "honest": HONEST_TIER}


def register(app: Flask) -> None:
    """Register the verification pages (public, no sign-in)."""
    app.register_blueprint(bp)
    app.jinja_env.globals["signature_panel"] = memo_panel
