"""The verbs on a memo's attachments; their print list, seal and integrity check.

Services change data and flush; the caller commits (pages through ``web.unit.attempt``,
the API through ``transaction.commit``). Only the author changes attachments, and only
while the memo is editable (``memos.ensure_editable``): once the order is given the set is
sealed (409). Removal before the memo was ever submitted deletes the file; after that it is
a soft delete (``removed_at``, ``removed_round``): the row and the bytes stay, listed in the
memo's history with the round in which they were removed.
"""

from __future__ import annotations

import hashlib
import io

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ..errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from ..models import Memo, MemoState, User
from ..services import audit, memos
from ..services.text import clean_text
from ..thai import thai_digits, utcnow
from . import sniff, storage
from .models import Attachment

TITLE_MAX = 300
MAX_FILES = 50
DEFAULT_FILE_MAX = 20 * 1024 * 1024
DEFAULT_MEMO_MAX = 50 * 1024 * 1024
WHAT = "ไฟล์แนบ"
SEALED = "หนังสือนี้สั่งการแล้ว ไฟล์แนบถูกปิดผนึกพร้อมหนังสือ จึงเพิ่ม แก้ไข หรือนำออกไม่ได้"


class TooLarge(DomainError):
    status, code = 413, "too_large"


def file_limit() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_FILE_MAX)


def memo_limit() -> int:
    return int(current_app.config.get("MEMO_ATTACHMENTS_MAX_BYTES") or DEFAULT_MEMO_MAX)


def megabytes(n: int) -> str:
    return thai_digits(f"{n / (1024 * 1024):.0f}" if n % (1024 * 1024) == 0 else f"{n / (1024 * 1024):.1f}")


def live(memo: Memo) -> list[Attachment]:
    """The memo's current attachments, in order."""
    return [a for a in memo.attachments if a.removed_at is None]


def removed(memo: Memo) -> list[Attachment]:
    return [a for a in memo.attachments if a.removed_at is not None]


def _title(value, fallback: str) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed("ชื่อเรื่องของไฟล์ต้องเป็นข้อความ", {"title": "ต้องเป็นข้อความ"})
    value = " ".join(clean_text(value, "title").split())
    if len(value) > TITLE_MAX:
        raise ValidationFailed(f"ชื่อเรื่องของไฟล์ยาวได้ไม่เกิน {TITLE_MAX} ตัวอักษร",
                               {"title": f"ยาวได้ไม่เกิน {TITLE_MAX} ตัวอักษร"})
    return value or fallback


def _ensure_editable(memo: Memo, user: User) -> None:
    """Only the author, only while editable (403 / 409); a decided memo's files are sealed (409)."""
    if memo.author_id == user.id and is_sealed(memo):
        raise InvalidTransition(SEALED)
    memos.ensure_editable(memo, user, WHAT)


def _event(session: Session, memo: Memo, user: User, action: str, att: Attachment, **extra) -> None:
    audit.record_event(session, organization_id=memo.organization_id, memo=memo, actor=user, action=action,
                       from_state=memo.state.value, to_state=memo.state.value,
                       comment=att.title, at=utcnow(),
                       data={"attachment": att.id, "filename": att.filename, "sha256": att.sha256,
                             "size": att.size, **extra})


def add(session: Session, memo: Memo, user: User, filename: str | None, data: bytes,
        title: str | None = None) -> Attachment:
    """Check, store and list a new file at the end (only the author, only while editable)."""
    _ensure_editable(memo, user)
    limit = file_limit()
    if len(data) > limit:
        raise TooLarge(f"ไฟล์แนบแต่ละไฟล์ต้องมีขนาดไม่เกิน {megabytes(limit)} เมกะไบต์")
    current = live(memo)
    if len(current) >= MAX_FILES:
        raise ValidationFailed(f"แนบไฟล์ได้ไม่เกิน {thai_digits(MAX_FILES)} ไฟล์ต่อหนังสือ",
                               {"file": "จำนวนไฟล์เกินกำหนด"})
    found = sniff.inspect(data, filename or "")
    content = found.content
    total = sum(a.size for a in current) + len(content)
    if total > memo_limit():
        raise TooLarge(f"ไฟล์แนบทั้งหมดของหนังสือหนึ่งฉบับรวมกันต้องไม่เกิน {megabytes(memo_limit())} เมกะไบต์")
    name = sniff.safe_filename(filename, found.kind)
    att = Attachment(
        organization_id=memo.organization_id, memo=memo, memo_id=memo.id,
        position=max((a.position for a in memo.attachments), default=0) + 1,
        title=_title(title, name.rsplit(".", 1)[0]), filename=name, kind=found.kind,
        content_type=found.content_type, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
        round_added=memo.round + 1, uploaded_by_id=user.id, created_at=utcnow(),
    )
    storage.put(att, content)
    session.add(att)
    session.flush()
    memo.updated_at = utcnow()
    _event(session, memo, user, "attachment_add", att, kind=found.kind)
    return att


def find(memo: Memo, attachment_id, *, include_removed: bool = False) -> Attachment:
    """One attachment of this memo (NotFound for any other id)."""
    try:
        attachment_id = int(attachment_id)
    except (TypeError, ValueError):
        raise NotFound("ไม่พบไฟล์แนบนี้") from None
    for att in memo.attachments:
        if att.id == attachment_id and (include_removed or att.removed_at is None):
            return att
    raise NotFound("ไม่พบไฟล์แนบนี้")


def rename(session: Session, memo: Memo, user: User, attachment_id, title) -> Attachment:
    _ensure_editable(memo, user)
    att = find(memo, attachment_id)
    new = _title(title, att.title)
    if new != att.title:
        old, att.title = att.title, new
        memo.updated_at = utcnow()
        _event(session, memo, user, "attachment_rename", att, old_title=old)
    session.flush()
    return att


def move(session: Session, memo: Memo, user: User, attachment_id, direction: str) -> Attachment:
    """One place up or down among the current attachments."""
    _ensure_editable(memo, user)
    if direction not in ("up", "down"):
        raise ValidationFailed("ทิศทางไม่ถูกต้อง", {"direction": "ต้องเป็น up หรือ down"})
    att = find(memo, attachment_id)
    current = live(memo)
    i = current.index(att)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(current):
        current[i], current[j] = current[j], current[i]
        for position, item in enumerate(current, start=1):
            item.position = position
        memo.updated_at = utcnow()
        _event(session, memo, user, "attachment_move", att, position=j + 1)
    session.flush()
    return att


def set_position(session: Session, memo: Memo, user: User, attachment_id, position: int) -> Attachment:
    """Move to a 1-based place among the current attachments (the API's reorder)."""
    _ensure_editable(memo, user)
    att = find(memo, attachment_id)
    current = [a for a in live(memo) if a is not att]
    position = max(1, min(int(position), len(current) + 1))
    current.insert(position - 1, att)
    for place, item in enumerate(current, start=1):
        item.position = place
    memo.updated_at = utcnow()
    _event(session, memo, user, "attachment_move", att, position=position)
    session.flush()
    return att


def remove(session: Session, memo: Memo, user: User, attachment_id) -> str | None:
    """Remove from the list. Never submitted (no number yet): deleted, and the sha256 returned
    so that the stored file may be discarded after the commit. Submitted before: kept, marked
    removed from the next round on (``removed_round``), listed in the memo's history."""
    _ensure_editable(memo, user)
    att = find(memo, attachment_id)
    memo.updated_at = utcnow()
    if memo.number is None:
        _event(session, memo, user, "attachment_remove", att, deleted=True)
        sha = att.sha256 if att.stored_in == "files" else None
        memo.attachments.remove(att)
        session.delete(att)
        session.flush()
        return sha
    att.removed_at, att.removed_round, att.removed_by_id = utcnow(), memo.round + 1, user.id
    _event(session, memo, user, "attachment_remove", att, deleted=False, round=memo.round + 1)
    session.flush()
    return None


def discard_unreferenced(session: Session, sha256: str | None) -> None:
    """After a commit: delete a stored file that no attachment row names any more."""
    if not sha256:
        return
    used = session.scalar(sa.select(sa.func.count()).select_from(Attachment).where(
        Attachment.sha256 == sha256, Attachment.stored_in == "files"))
    if not used:
        storage.discard(sha256)


def content_of(att: Attachment) -> bytes:
    data = storage.read(att)
    if data is None:
        raise NotFound("ไม่พบเนื้อไฟล์แนบนี้ในที่จัดเก็บ กรุณาแจ้งผู้ดูแลระบบ")
    return data


def get_for_download(session: Session, user: User, memo_id, attachment_id) -> tuple[Memo, Attachment]:
    """The memo (visible to the user, else 404) and one of its attachments, removed ones too
    (they stay readable in the memo's history)."""
    memo = memos.get_memo(session, user, memo_id, full=False)
    return memo, find(memo, attachment_id, include_removed=True)


# --- the printed memo, the seal and the integrity check -------------------------------------------

def print_list(memo: Memo) -> list[dict]:
    """สิ่งที่ส่งมาด้วย: the plan report (when attached) then each current file, in order."""
    items: list[dict] = []
    if memo.plan_report is not None:
        from ..plan_report import compute as pr

        report = memo.plan_report
        digits = memo.organization.uses_thai_digits
        items.append({"title": "รายงานผลการดำเนินการตามแผนปฏิบัติการป้องกันการทุจริต "
                               + pr.period_text(report.fiscal_year, report.round, digits),
                      "filename": None, "sha256": None, "kind": "plan_report"})
    for att in live(memo):
        items.append({"title": att.title, "filename": att.filename, "sha256": att.sha256, "kind": att.kind,
                      "size": att.size})
    return items


def manifest(memo: Memo) -> list[dict]:
    """What the frozen document records of each attached file (its seal)."""
    return [{"id": a.id, "filename": a.filename, "title": a.title, "size": a.size, "sha256": a.sha256}
            for a in live(memo)]


def verify(session: Session, organization_id: int | None = None) -> list[tuple[int, str]]:
    """(memo_id, problem) for each stored file whose bytes no longer match its SHA-256, each
    missing file, and each sealed file that differs from what the frozen memo recorded."""
    from ..models import MemoDocument

    problems: list[tuple[int, str]] = []
    query = sa.select(Attachment).order_by(Attachment.id)
    if organization_id is not None:
        query = query.where(Attachment.organization_id == organization_id)
    for att in session.scalars(query.execution_options(yield_per=20)):
        data = storage.read(att)
        if data is None:
            problems.append((att.memo_id, f"attachment {att.id} ({att.filename}): stored file is missing"))
            continue
        actual = hashlib.sha256(data).hexdigest()
        if actual != att.sha256:
            detail = f"attachment {att.id} ({att.filename}) SHA-256 {actual} differs from the stored {att.sha256}"
            problems.append((att.memo_id, detail))
        session.expire(att, ["content"])  # one file in memory at a time
    docs = sa.select(MemoDocument.memo_id, MemoDocument.attachments).where(MemoDocument.attachments.is_not(None))
    if organization_id is not None:
        docs = docs.where(MemoDocument.organization_id == organization_id)
    for memo_id, sealed in session.execute(docs):
        rows = {a.id: a for a in session.scalars(sa.select(Attachment).where(Attachment.memo_id == memo_id))}
        for item in sealed or []:
            att = rows.get(item.get("id"))
            if att is None or att.sha256 != item.get("sha256") or att.removed_at is not None:
                detail = (f"attachment {item.get('id')} ({item.get('filename')}) no longer matches the sealed "
                          f"memo (SHA-256 {item.get('sha256')})")
                problems.append((memo_id, detail))
    return problems


def merged_pdf(memo: Memo) -> bytes:
    """The memo's PDF followed by each of its current PDF attachments, for printing."""
    from pypdf import PdfWriter

    from ..services import documents

    memo_pdf, _ = documents.pdf_for(memo)
    writer = PdfWriter()
    writer.append(io.BytesIO(memo_pdf))
    for att in live(memo):
        if att.kind == "pdf":
            writer.append(io.BytesIO(content_of(att)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def is_sealed(memo: Memo) -> bool:
    return memo.state in (MemoState.DECIDED, MemoState.ARCHIVED)
