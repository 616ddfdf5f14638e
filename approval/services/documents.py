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
    from ..pdf import render_memo_pdf

    data = memo_print_dict(memo)  # the database is read here, never in the render's child
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
    """(bytes, sha256): the frozen document when decided, else a fresh preview (no hash)."""
    if memo.state in (MemoState.DECIDED, MemoState.ARCHIVED) and memo.document is not None:
        return memo.document.content, memo.document.sha256
    return render(memo), None
