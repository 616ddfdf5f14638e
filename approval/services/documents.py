"""The memo's PDF: a preview while in flight, frozen bytes with SHA-256 once decided."""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy.orm import Session

from ..errors import DomainError
from ..models import Memo, MemoDocument, MemoState
from . import render_budget
from .printing import memo_print_dict
from .render_budget import RenderTooSlow

log = logging.getLogger(__name__)
RENDER_FAILED = "สร้างเอกสาร PDF ไม่สำเร็จ ยังไม่ได้บันทึกคำสั่ง กรุณาลองใหม่"


class RenderFailed(DomainError):
    """The order's PDF could not be made: the order is refused and nothing is recorded."""

    status, code = 503, "pdf_failed"


_warm = False


def warm() -> None:
    """Load fonts, dictionary, patches and templates in this process (once).

    Every render's child is forked from here and inherits them: without this each child
    would load them again (~1 s), and its bytes would still be the same.
    """
    global _warm
    if _warm:
        return
    from ..pdf import install_thai_support
    from ..pdf.render import jinja_env

    install_thai_support()
    for name in ("pdf/memo.html", "pdf/_plan_report.html"):
        jinja_env().get_template(name)
    from ..signatures import pades

    pades.warm()  # the order's seal (pyHanko): imported here, not in a worker's first order
    _warm = True


def budget_seconds() -> float:
    """PDF_RENDER_SECONDS of the app (0: no budget, render in process)."""
    from flask import current_app, has_app_context

    if has_app_context():
        return float(current_app.config.get("PDF_RENDER_SECONDS", render_budget.DEFAULT_SECONDS))
    return render_budget.DEFAULT_SECONDS


def render(memo: Memo) -> bytes:
    """The memo's PDF, laid out within the time budget (RenderTooSlow past it)."""
    return render_data(memo_print_dict(memo))  # the database is read here, never in the render's child


def render_data(data: dict) -> bytes:
    """The PDF of a print dict (services.printing.memo_print_dict), within the time budget."""
    from ..pdf import render_memo_pdf

    warm()
    return render_budget.run(render_memo_pdf, data, budget_seconds())


def freeze(session: Session, memo: Memo) -> MemoDocument:
    """Render once at the order and store the bytes; a failure aborts the order itself.

    Called by memos.act after the chain's changes are made in the session but before
    anything is flushed or committed: a render past the budget (RenderTooSlow, 422) or a
    failed one (RenderFailed, 503) rolls the whole order back and the memo stays in review.
    """
    try:
        content = render(memo)
    except RenderTooSlow:  # the mayor is told to have the content shortened; nothing recorded
        log.warning("the order of memo %s refused: its PDF exceeds the render budget", memo.id)
        raise
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
    """(bytes, sha256): the frozen document when decided, else the preview (no hash)."""
    content, sha256, _etag = document_for(memo)
    return content, sha256


def document_for(memo: Memo, if_none_match=None) -> tuple[bytes | None, str | None, str]:
    """(bytes, sha256, etag) of the memo's PDF: the frozen document when decided (its hash is
    the ETag), else the preview (services.previews: rendered once per content, then kept).

    ``if_none_match`` (werkzeug's ETags of the request): when it holds the current ETag the
    bytes are None (answer 304) and nothing is rendered or read.
    """
    if memo.state in (MemoState.DECIDED, MemoState.ARCHIVED) and memo.document is not None:
        sha256 = memo.document.sha256
        if if_none_match is not None and if_none_match.contains(sha256):
            return None, sha256, sha256
        return memo.document.content, sha256, sha256
    from . import previews

    data = memo_print_dict(memo)
    key = previews.preview_key(memo, data)
    if if_none_match is not None and if_none_match.contains(key):
        return None, None, key
    content = previews.cached(key)
    if content is None:
        content = render_data(data)
        previews.store(key, content)
    return content, None, key


def pdf_response(memo: Memo, if_none_match=None):
    """The memo's PDF as an answer for the page and the API alike: ETag (the frozen hash, or the
    preview's key) and 304 to a client that has those bytes (If-None-Match).

    ``private, no-store`` as every private answer: a browser on a shared office computer keeps
    no copy; repeated views are cheap on the server instead (the preview cache), and a client
    that keeps its own copy (an API client) revalidates with the ETag.
    """
    from flask import Response

    content, sha256, etag = document_for(memo, if_none_match)
    response = Response(content if content is not None else b"", status=200 if content is not None else 304,
                        mimetype="application/pdf")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-store"
    if content is not None:
        response.headers["Content-Disposition"] = f'inline; filename="memo-{memo.id}.pdf"'
    if sha256:
        response.headers["X-Content-SHA256"] = sha256
    return response
