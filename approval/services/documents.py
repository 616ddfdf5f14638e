"""The memo's PDF: a preview while in flight, frozen bytes with SHA-256 once decided."""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy.orm import Session

from ..errors import DomainError
from ..models import Memo, MemoDocument, MemoState
from .printing import memo_print_dict

log = logging.getLogger(__name__)
RENDER_FAILED = "สร้างเอกสาร PDF ไม่สำเร็จ ยังไม่ได้บันทึกคำสั่ง กรุณาลองใหม่"


class RenderFailed(DomainError):
    """The order's PDF could not be made: the order is refused and nothing is recorded."""

    status, code = 503, "pdf_failed"


def render(memo: Memo) -> bytes:
    from ..pdf import render_memo_pdf

    return render_memo_pdf(memo_print_dict(memo))


def freeze(session: Session, memo: Memo) -> MemoDocument:
    """Render once at the order and store the bytes; a failure aborts the order itself."""
    try:
        content = render(memo)
    except Exception as exc:  # any renderer failure: the caller's transaction rolls back
        log.exception("PDF rendering failed at the order of memo %s", memo.id)
        raise RenderFailed(RENDER_FAILED) from exc
    from ..attachments.service import manifest

    doc = MemoDocument(
        organization_id=memo.organization_id, memo=memo, memo_id=memo.id,
        sha256=hashlib.sha256(content).hexdigest(), content=content,
        attachments=manifest(memo),  # the files' SHA-256s, also printed in the PDF: sealed with it
    )
    session.add(doc)
    memo.document = doc
    return doc


def pdf_for(memo: Memo) -> tuple[bytes, str | None]:
    """(bytes, sha256): the frozen document when decided, else a fresh preview (no hash)."""
    if memo.state in (MemoState.DECIDED, MemoState.ARCHIVED) and memo.document is not None:
        return memo.document.content, memo.document.sha256
    return render(memo), None
