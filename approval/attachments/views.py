"""The pages: upload, rename, move, remove (on the memo's edit page); download, view, print."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ..errors import NotFound
from ..extensions import db
from ..forms import MemoForm
from ..services import memos as memo_service
from ..thai import thai_date, thai_digits
from ..web.unit import attempt
from . import service, sniff

bp = Blueprint("attachments", __name__)

#: Endpoints whose request bodies may be as large as one attachment (plus the multipart envelope).
UPLOAD_ENDPOINTS = frozenset({"attachments.upload", "api.upload_attachment"})
ENVELOPE_MARGIN = 1024 * 1024
#: Attachments are never run from our origin: no scripts, no plugins, no same-origin access.
DOWNLOAD_CSP = "sandbox; default-src 'none'"
INLINE_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'"


def install(app: Flask) -> None:
    """Raise the body limit for the upload endpoints only; add the template helpers.

    The hook runs before every other (CSRF reads the form of a page's POST), so that an
    upload is measured against ATTACHMENT_MAX_BYTES + margin while every other body keeps
    MAX_CONTENT_LENGTH.
    """
    def _upload_limit():
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = service.file_limit() + ENVELOPE_MARGIN

    app.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)
    app.add_template_filter(file_size, "file_size")
    app.add_template_filter(sniff.label, "attachment_kind")
    app.jinja_env.globals.update(live_attachments=service.live, removed_attachments=service.removed)


def file_size(n: int | None) -> str:
    """1,234,567 -> "๑.๒ เมกะไบต์" (Thai digits)."""
    n = int(n or 0)
    if n >= 1024 * 1024:
        text = f"{n / (1024 * 1024):.1f} เมกะไบต์"
    elif n >= 1024:
        text = f"{n / 1024:.0f} กิโลไบต์"
    else:
        text = f"{n} ไบต์"
    return thai_digits(text)


@bp.before_request
@login_required
def _signed_in():
    """Every attachment page needs a signed-in user."""


def _user():
    return current_user._get_current_object()


def _edit_page(memo, status: int, upload_errors: dict | None = None):
    """The memo's edit page again, with the attachment section's error."""
    form = MemoForm(data={
        "department": memo.department, "date": memo.date.isoformat(), "subject": memo.subject,
        "addressee": memo.addressee, "sections": memo.sections or [{"title": "", "body": ""}],
        "closing": memo.closing, "version": str(memo.version),
    })
    return render_template("memos/form.html", form=form, memo=memo, errors={}, be_date=thai_date(memo.date),
                           upload_errors=upload_errors or {}), status


def _back(memo_id: int):
    return redirect(url_for("memos.edit", memo_id=memo_id) + "#attachments", code=303)


@bp.route("/memos/<int:memo_id>/attachments", methods=["POST"])
def upload(memo_id: int):
    """Attach a file to an editable memo (its author)."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        flash("กรุณาเลือกไฟล์ที่จะแนบ", "danger")
        return _edit_page(memo, 422, {"file": "กรุณาเลือกไฟล์ที่จะแนบ"})
    data = storage.stream.read(service.file_limit() + 1)
    with attempt() as work:
        att = service.add(db.session, memo, _user(), storage.filename, data, request.form.get("title"))
    del data
    if work.failed:
        memo = memo_service.get_memo(db.session, _user(), memo_id)
        if not memo.can_edit(_user()):
            return redirect(url_for("memos.detail", memo_id=memo_id), code=303)
        return _edit_page(memo, work.error.status, {"file": work.error.message})
    flash(f"แนบไฟล์ {att.filename} แล้ว", "success")
    return _back(memo_id)


@bp.route("/memos/<int:memo_id>/attachments/<int:attachment_id>/rename", methods=["POST"])
def rename(memo_id: int, attachment_id: int):
    """Rename an attached file."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    with attempt() as work:
        service.rename(db.session, memo, _user(), attachment_id, request.form.get("title", ""))
    if not work.failed:
        flash("เปลี่ยนชื่อเรื่องของไฟล์แนบแล้ว", "success")
    return _back(memo_id)


@bp.route("/memos/<int:memo_id>/attachments/<int:attachment_id>/move", methods=["POST"])
def move(memo_id: int, attachment_id: int):
    """Move an attached file up or down the list."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    with attempt() as work:
        service.move(db.session, memo, _user(), attachment_id, request.form.get("direction", ""))
    if not work.failed:
        flash("จัดลำดับไฟล์แนบแล้ว", "success")
    return _back(memo_id)


@bp.route("/memos/<int:memo_id>/attachments/<int:attachment_id>/remove", methods=["POST"])
def remove(memo_id: int, attachment_id: int):
    """Remove an attached file (kept in the history once the memo was submitted)."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    with attempt() as work:
        sha = service.remove(db.session, memo, _user(), attachment_id)
    if not work.failed:
        service.discard_unreferenced(db.session, sha)
        flash("นำไฟล์แนบออกแล้ว", "success")
    return _back(memo_id)


def file_response(att, *, inline: bool = False) -> Response:
    """The bytes, as a download (or inline for PDFs and images), never sniffed or run."""
    data = service.content_of(att)
    response = Response(data, mimetype=att.content_type.split(";")[0],
                        content_type=att.content_type)
    response.headers["Content-Disposition"] = sniff.content_disposition(
        att.filename, f"attachment-{att.id}", inline=inline)
    response.headers["X-Content-SHA256"] = att.sha256
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = INLINE_CSP if inline else DOWNLOAD_CSP
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/memos/<int:memo_id>/attachments/<int:attachment_id>")
def download(memo_id: int, attachment_id: int):
    """An attached file, as a download."""
    _, att = service.get_for_download(db.session, _user(), memo_id, attachment_id)
    return file_response(att)


@bp.route("/memos/<int:memo_id>/attachments/<int:attachment_id>/view")
def view(memo_id: int, attachment_id: int):
    """A PDF or image attachment shown in the browser, sandboxed."""
    _, att = service.get_for_download(db.session, _user(), memo_id, attachment_id)
    if not att.viewable_inline:
        raise NotFound("ไฟล์ชนิดนี้เปิดดูในเบราว์เซอร์ไม่ได้ กรุณาดาวน์โหลด")
    return file_response(att, inline=True)


@bp.route("/memos/<int:memo_id>/print.pdf")
def merged(memo_id: int):
    """The memo followed by its PDF attachments, one file for printing."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    content = service.merged_pdf(memo)
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="memo-{memo.id}-with-attachments.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    current_app.logger.debug("merged print of memo %s: %s bytes", memo.id, len(content))
    return response
