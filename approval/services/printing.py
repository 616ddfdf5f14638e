"""The plain dict the PDF template prints, built from a memo (no ORM objects past here)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..labels import DECISION_LABELS
from ..models import Memo, MemoState, StepStatus

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


def memo_print_dict(memo: Memo) -> dict:
    org = memo.organization
    steps = [s for s in memo.steps if s.round == memo.round] if memo.round else []
    decided = memo.state in (MemoState.DECIDED, MemoState.ARCHIVED)
    data = {
        "title": memo.subject,
        "author_name": memo.author.full_name,
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
        "author": _person(memo.author),
        "steps": [
            {
                "seq": s.seq, "title": s.title, "kind": s.kind.value, "status": s.status.value,
                "decision": s.decision.value if s.decision else None,
                "decision_label": DECISION_LABELS.get(memo.decision) if s.kind.value == "order"
                and s.status is StepStatus.DONE and memo.decision else None,
                "comment": s.comment, "signer": _person(s.assignee), "acting": s.acting,
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
