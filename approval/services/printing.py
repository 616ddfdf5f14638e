"""The plain dict the PDF template prints, built from a memo (no ORM objects past here)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import object_session

from ..labels import DECISION_LABELS
from ..models import Memo, MemoState, Step, StepStatus

_IMAGE_DIR = Path(tempfile.gettempdir()) / "approval-print-images"


def _image_file(kind: str, key: int, data: bytes | None) -> str | None:
    """Write a stored (re-encoded) PNG where the PDF renderer may read it; return its path."""
    if not data:
        return None
    import hashlib

    digest = hashlib.sha256(data).hexdigest()[:16]
    path = _IMAGE_DIR / f"{kind}-{key}-{digest}.png"
    if not path.exists():
        _IMAGE_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return str(path)


def image_dir() -> Path:
    _IMAGE_DIR.mkdir(parents=True, exist_ok=True)
    return _IMAGE_DIR


def _person(user) -> dict:
    return {
        "full_name": user.full_name, "position": user.position,
        "signature_path": _image_file("signature", user.id, user.signature_png),
    }


def _kept(user_id: int, name: str | None, position: str | None, sha: str | None, session) -> dict:
    """A signing block as it was when signed: the kept name, position and signature image."""
    from .signing import image

    return {
        "full_name": name, "position": position,
        "signature_path": _image_file("signature", user_id, image(session, sha)),
    }


def _signer(step: Step, session) -> dict:
    """Who signed, as they were then; for a step not signed yet, the assignee as they are now."""
    if step.signed_at is not None and step.signer_name is not None:
        return _kept(step.signed_by_id or step.assignee_id, step.signer_name, step.signer_position,
                     step.signature_sha256, session)
    return _person(step.assignee)


def capacity(step: Step) -> dict | None:
    """A stand-in's capacity as printed under their own position: the word (รักษาราชการแทน /
    ปฏิบัติราชการแทน), the holder's position as it was at signing, and the order if it was given."""
    if not step.capacity or step.signed_at is None:
        return None
    from .appointments import KIND_LABELS

    appointment = step.appointment
    return {
        "kind": step.capacity, "word": KIND_LABELS.get(step.capacity, step.capacity),
        "position": step.on_behalf_of_position or "",
        "order_number": appointment.order_number if appointment is not None else None,
        "order_date": appointment.order_date if appointment is not None else None,
    }


def _author(memo: Memo, session) -> dict:
    """The author signs by submitting: a memo on or past the chain prints the block kept then."""
    submitted = memo.state in (MemoState.IN_REVIEW, MemoState.DECIDED, MemoState.ARCHIVED)
    if submitted and memo.author_name is not None:
        return _kept(memo.author_id, memo.author_name, memo.author_position, memo.author_signature_sha256, session)
    return _person(memo.author)


def _submitted_at(memo: Memo):
    """When the author sent this round up the chain (their electronic signature's time)."""
    times = [e.at for e in memo.events if e.action == "submit" and e.round == memo.round]
    return max(times) if times else None


def memo_print_dict(memo: Memo) -> dict:
    org = memo.organization
    session = object_session(memo)
    author = _author(memo, session)
    steps = [s for s in memo.steps if s.round == memo.round] if memo.round else []
    decided = memo.state in (MemoState.DECIDED, MemoState.ARCHIVED)
    data = {
        "title": memo.subject,
        "author_name": author["full_name"],
        "created_at": memo.decided_at or memo.created_at,
        "is_draft": not decided,
        "digits": org.setting("digits"),
        "organization": {
            "name": org.name, "district": org.district, "province": org.province,
            "emblem_path": _image_file("emblem", org.id, org.emblem_png),
        },
        "department": memo.department,
        "number": memo.number,
        "date": memo.date,
        "subject": memo.subject,
        "addressee": memo.addressee,
        "sections": [dict(s) for s in memo.sections],
        "closing": memo.closing,
        "author": {**author, "signed_at": _submitted_at(memo)},
        "steps": [
            {
                "seq": s.seq, "title": s.title, "kind": s.kind.value, "status": s.status.value,
                "decision": s.decision.value if s.decision else None,
                "decision_label": DECISION_LABELS.get(memo.decision) if s.kind.value == "order"
                and s.status is StepStatus.DONE and memo.decision else None,
                "comment": s.comment, "signer": _signer(s, session),
                "capacity": capacity(s), "acting": None if s.capacity else s.acting,
                "signed_at": s.signed_at,
            }
            for s in steps
        ],
        "plan_report": None,
    }
    from ..attachments.service import print_list

    data["attachments"] = print_list(memo)  # สิ่งที่ส่งมาด้วย
    if memo.plan_report is not None:
        from ..plan_report.service import print_context

        data["plan_report"] = print_context(memo.plan_report, org)
    return data
