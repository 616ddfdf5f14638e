"""The attachments' endpoints of /api/v1, on the ``api`` blueprint (endpoints ``api.*attachment*``).

``approval.api.register_api`` imports this module before it registers the blueprint. The
upload route's body limit is raised in :func:`approval.attachments.views.install`.
"""

from __future__ import annotations

from flask import Response, g, jsonify, request, url_for

from ..api.errors import ApiError
from ..api.parsing import json_object
from ..api.views import bp
from ..extensions import db
from ..services import memos
from ..transaction import commit
from . import service
from .views import file_response

PATCH_FIELDS = frozenset({"title", "position"})


def attachment(att) -> dict:
    """Attachment = {"id", "title", "filename", "content_type", "size", "sha256", "url"} (+ "kind")."""
    return {
        "id": att.id, "title": att.title, "filename": att.filename, "content_type": att.content_type,
        "kind": att.kind, "size": att.size, "sha256": att.sha256,
        "url": url_for("api.get_attachment", memo_id=att.memo_id, attachment_id=att.id),
    }


def attachments(memo) -> list[dict]:
    """A memo's attachments as the contract's JSON."""
    return [attachment(a) for a in service.live(memo)]


@bp.get("/memos/<int:memo_id>/attachments")
def list_attachments(memo_id: int):
    """The memo's attached files."""
    memo = memos.get_memo(db.session, g.api_user, memo_id, full=False)
    return jsonify({"items": attachments(memo)})


@bp.post("/memos/<int:memo_id>/attachments")
def upload_attachment(memo_id: int):
    """Attach a file (multipart)."""
    memo = memos.get_memo(db.session, g.api_user, memo_id, full=False)
    if request.mimetype != "multipart/form-data":
        raise ApiError(415, "กรุณาส่งไฟล์แบบ multipart/form-data ในช่อง file")
    storage = request.files.get("file")
    if storage is None:
        raise ApiError(422, "กรุณาแนบไฟล์ในช่อง file", {"file": "กรุณาเลือกไฟล์"})
    title = request.form.get("title")
    if title is not None and "\x00" in title:
        raise ApiError(422, "ชื่อเรื่องของไฟล์มีอักขระที่ไม่อนุญาต", {"title": "มีอักขระที่ไม่อนุญาต"})
    data = storage.stream.read(service.file_limit() + 1)
    att = service.add(db.session, memo, g.api_user, storage.filename, data, title)
    del data
    commit()
    return jsonify(attachment(att)), 201


@bp.get("/memos/<int:memo_id>/attachments/<int:attachment_id>")
def get_attachment(memo_id: int, attachment_id: int):
    """An attached file's bytes."""
    _, att = service.get_for_download(db.session, g.api_user, memo_id, attachment_id)
    return file_response(att)


@bp.patch("/memos/<int:memo_id>/attachments/<int:attachment_id>")
def patch_attachment(memo_id: int, attachment_id: int):
    """Rename or move an attached file."""
    memo = memos.get_memo(db.session, g.api_user, memo_id, full=False)
    data = json_object(PATCH_FIELDS)
    position = data.get("position")
    if position is not None and (isinstance(position, bool) or not isinstance(position, int)
                                 or not 1 <= position <= service.MAX_FILES):
        raise ApiError(422, "ลำดับไม่ถูกต้อง", {"position": f"ต้องเป็นจำนวนเต็ม 1 ถึง {service.MAX_FILES}"})
    att = service.find(memo, attachment_id)
    if "title" in data:
        att = service.rename(db.session, memo, g.api_user, attachment_id, data["title"])
    if position is not None:
        att = service.set_position(db.session, memo, g.api_user, attachment_id, position)
    if not data:
        service.rename(db.session, memo, g.api_user, attachment_id, att.title)  # the same checks, no change
    commit()
    return jsonify(attachment(att))


@bp.delete("/memos/<int:memo_id>/attachments/<int:attachment_id>")
def delete_attachment(memo_id: int, attachment_id: int):
    """Remove an attached file while the memo is editable."""
    memo = memos.get_memo(db.session, g.api_user, memo_id, full=False)
    sha = service.remove(db.session, memo, g.api_user, attachment_id)
    commit()
    service.discard_unreferenced(db.session, sha)
    return Response(status=204)


@bp.get("/memos/<int:memo_id>/print.pdf")
def print_pdf(memo_id: int):
    """The memo's PDF followed by its PDF attachments."""
    memo = memos.get_memo(db.session, g.api_user, memo_id)
    response = Response(service.merged_pdf(memo), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="memo-{memo.id}-with-attachments.pdf"'
    return response
