"""Writing helpers' verbs: memo templates, a new memo's defaults, one's division, the return
notice and the changes since the previous round. Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import thai
from ..errors import NotFound, ValidationFailed
from ..models import Memo, MemoState, Organization, StepStatus, User
from ..numbers import parse_id
from ..services import audit, security_log
from ..services import memos as memo_service
from ..services.text import clean_text
from .diff import MemoChanges, diff_memo, snapshot
from .models import MemoTemplate

#: The categories the form suggests (an administrator may type another).
CATEGORIES = ("ขออนุมัติ", "ขอเชิญประชุม", "รายงานผล")
CATEGORY_MAX, NAME_MAX = 100, 200
TEMPLATES_MAX = 100  #: per organisation
DIVISION_MAX = 300
DEFAULT_CLOSING = "จึงเรียนมาเพื่อโปรดทราบ"
TEMPLATE_FIELDS = ("category", "name", "subject", "addressee", "sections", "closing")
#: Labels of the writing helpers' admin events in the admin log (web.admin joins them in).
ADMIN_EVENT_LABELS = {
    "admin.create_template": "เพิ่มแม่แบบบันทึกข้อความ",
    "admin.update_template": "แก้ไขแม่แบบบันทึกข้อความ",
    "admin.delete_template": "ลบแม่แบบบันทึกข้อความ",
}
CHANGED_FIELD_LABELS = {
    "template_category": "ประเภทหนังสือ", "template_name": "ชื่อแม่แบบ", "template_subject": "เรื่อง",
    "template_addressee": "เรียน", "template_sections": "เนื้อหา", "template_closing": "ข้อความลงท้าย",
    "division": "ส่วนราชการ (สังกัด)",
}


# --- templates ----------------------------------------------------------------------------

def list_templates(session: Session, organization_id: int) -> list[MemoTemplate]:
    """The organisation's templates, by category then name."""
    return list(session.scalars(
        sa.select(MemoTemplate).where(MemoTemplate.organization_id == organization_id)
        .order_by(MemoTemplate.category, MemoTemplate.name, MemoTemplate.id)))


def get_template(session: Session, organization_id: int, template_id) -> MemoTemplate:
    """The template of this organisation with this id; NotFound otherwise (also another organisation's)."""
    parsed = parse_id(template_id)
    template = session.get(MemoTemplate, parsed) if parsed is not None else None
    if template is None or template.organization_id != organization_id:
        security_log.record("not_found", f"memo template {template_id!r}"[:200], organization_id=organization_id)
        raise NotFound("ไม่พบแม่แบบนี้")
    return template


def _text(value, field: str, limit: int, errors: dict, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = "ต้องเป็นข้อความ"
        return ""
    value = clean_text(value, field).replace("\r\n", "\n").strip()
    if required and not value:
        errors[field] = "กรุณากรอกข้อมูล"
    elif len(value) > limit:
        errors[field] = f"ยาวได้ไม่เกิน {limit:,} ตัวอักษร"
    return value


def validate_template(data: dict) -> dict:
    """Checked, NFC template fields; sections left wholly empty are dropped, one must remain."""
    errors: dict[str, str] = {}
    clean = {
        "category": _text(data.get("category"), "category", CATEGORY_MAX, errors, required=True),
        "name": _text(data.get("name"), "name", NAME_MAX, errors, required=True),
        "subject": _text(data.get("subject"), "subject", memo_service.LIMITS["subject"], errors),
        "addressee": _text(data.get("addressee"), "addressee", memo_service.LIMITS["addressee"], errors),
        "closing": _text(data.get("closing"), "closing", memo_service.LIMITS["closing"], errors),
    }
    raw = data.get("sections")
    sections = []
    if not isinstance(raw, list):
        errors["sections"] = "ต้องมีเนื้อหาอย่างน้อยหนึ่งหัวข้อ"
        raw = []
    elif len(raw) > memo_service.SECTIONS_MAX:
        errors["sections"] = f"มีได้ไม่เกิน {memo_service.SECTIONS_MAX} หัวข้อ"
        raw = []
    for i, section in enumerate(raw):
        if not isinstance(section, dict) or set(section) - {"title", "body"}:
            errors[f"sections.{i}"] = "หัวข้อต้องมี title และ body เท่านั้น"
            continue
        title = _text(section.get("title"), f"sections.{i}.title", memo_service.SECTION_TITLE_MAX, errors)
        body = _text(section.get("body"), f"sections.{i}.body", memo_service.SECTION_BODY_MAX, errors)
        if title or body:
            sections.append({"title": title, "body": body})
    if not sections and "sections" not in errors and not any(k.startswith("sections.") for k in errors):
        errors["sections"] = "ต้องมีเนื้อหาอย่างน้อยหนึ่งหัวข้อ"
    clean["sections"] = sections
    if not errors and memo_service.memo_chars(clean) > memo_service.limits.MEMO_CHARS_MAX:
        errors["sections"] = f"เนื้อหาทั้งฉบับยาวได้ไม่เกิน {memo_service.limits.MEMO_CHARS_MAX:,} ตัวอักษร"
    if errors:
        raise ValidationFailed("ข้อมูลแม่แบบไม่ถูกต้อง กรุณาตรวจสอบช่องที่ระบุ", errors)
    return clean


def _name_taken(session: Session, organization_id: int, name: str, but: int | None = None) -> bool:
    query = sa.select(MemoTemplate.id).where(MemoTemplate.organization_id == organization_id,
                                             MemoTemplate.name == name)
    if but is not None:
        query = query.where(MemoTemplate.id != but)
    return session.scalar(query.limit(1)) is not None


def _admin_event(session: Session, org: Organization, actor: User | None, action: str, data: dict) -> None:
    if actor is not None:
        audit.record_event(session, organization_id=org.id, memo=None, actor=actor, action=action,
                           data=data, at=thai.utcnow())


def create_template(session: Session, org: Organization, data: dict, actor: User | None = None) -> MemoTemplate:
    """Add a template to the organisation (recorded in the admin log)."""
    clean = validate_template(data)
    if _name_taken(session, org.id, clean["name"]):
        raise ValidationFailed("ข้อมูลแม่แบบไม่ถูกต้อง", {"name": "มีแม่แบบชื่อนี้อยู่แล้ว"})
    count = session.scalar(sa.select(sa.func.count(MemoTemplate.id)).where(MemoTemplate.organization_id == org.id))
    if count >= TEMPLATES_MAX:
        raise ValidationFailed(f"หน่วยงานมีแม่แบบได้ไม่เกิน {TEMPLATES_MAX} แบบ", {"name": "มีแม่แบบครบจำนวนแล้ว"})
    template = MemoTemplate(organization_id=org.id, **clean)
    session.add(template)
    session.flush()
    _admin_event(session, org, actor, "admin.create_template",
                 {"template_id": template.id, "name": template.name, "category": template.category})
    return template


def update_template(session: Session, template: MemoTemplate, data: dict, actor: User | None = None) -> MemoTemplate:
    """Change a template; the admin log names the fields that changed."""
    clean = validate_template(data)
    if _name_taken(session, template.organization_id, clean["name"], but=template.id):
        raise ValidationFailed("ข้อมูลแม่แบบไม่ถูกต้อง", {"name": "มีแม่แบบชื่อนี้อยู่แล้ว"})
    changed = sorted(k for k in TEMPLATE_FIELDS if getattr(template, k) != clean[k])
    for key in changed:
        setattr(template, key, clean[key])
    session.flush()
    if changed:
        org = session.get(Organization, template.organization_id)
        _admin_event(session, org, actor, "admin.update_template",
                     {"template_id": template.id, "name": template.name, "changed": {f"template_{k}": True for k in changed}})
    return template


def delete_template(session: Session, template: MemoTemplate, actor: User | None = None) -> None:
    """Remove a template; memos written from it keep their text."""
    org = session.get(Organization, template.organization_id)
    data = {"template_id": template.id, "name": template.name, "category": template.category}
    session.delete(template)
    session.flush()
    _admin_event(session, org, actor, "admin.delete_template", data)


# --- a new memo's fields ------------------------------------------------------------------

def new_memo_fields(session: Session, user: User, template: MemoTemplate | None = None) -> dict:
    """What the form of a new memo starts with: today's date, the writer's division as
    ส่วนราชการ, the chain's order-step holder as เรียน, and the template's text if one was chosen."""
    fields = {
        "department": memo_service.default_department(user),
        "date": thai.to_local(thai.utcnow()).date().isoformat(),
        "subject": "",
        "addressee": memo_service.default_addressee(user.organization),
        "sections": [{"title": "", "body": ""}],
        "closing": DEFAULT_CLOSING,
    }
    if template is not None:
        fields["subject"] = template.subject
        fields["addressee"] = template.addressee or fields["addressee"]
        fields["sections"] = [dict(s) for s in template.sections] or fields["sections"]
        fields["closing"] = template.closing or DEFAULT_CLOSING
    return fields


# --- one's division -----------------------------------------------------------------------

def clean_division(value) -> str:
    """The division as stored: NFC, stripped, at most DIVISION_MAX characters; ValidationFailed otherwise."""
    errors: dict[str, str] = {}
    division = _text(value, "division", DIVISION_MAX, errors)
    if errors:
        raise ValidationFailed("ส่วนราชการไม่ถูกต้อง", errors)
    return division


def set_division(session: Session, user: User, value, actor: User | None = None) -> bool:
    """Set the person's division (ส่วนราชการ); an administrator's change is recorded in the admin log.

    True when it changed.
    """
    division = clean_division(value)
    if division == (user.division or ""):
        return False
    user.division = division
    session.flush()
    if actor is not None and actor.id != user.id:
        _admin_event(session, user.organization, actor, "admin.update_user",
                     {"user_id": user.id, "username": user.username, "changed": {"division": division}})
    return True


# --- returned memos: the reason, and what changed since ---------------------------------

@dataclass(frozen=True)
class ReturnNotice:
    """Who sent the memo back, when, at which step, and why."""

    name: str
    position: str
    step_title: str
    at: object  #: datetime (UTC)
    reason: str
    round: int


def return_notice(memo: Memo) -> ReturnNotice | None:
    """The return of a returned memo's current round (None unless the memo is returned)."""
    if memo.state is not MemoState.RETURNED:
        return None
    step = next((s for s in memo.round_steps if s.status is StepStatus.RETURNED), None)
    if step is None:
        return None
    return ReturnNotice(name=step.signer_name or step.assignee.full_name,
                        position=step.signer_position or step.assignee.position,
                        step_title=step.title, at=step.signed_at, reason=step.comment, round=step.round)


@dataclass(frozen=True)
class RoundChanges:
    """The changes from the text of round `base_round` to the memo as it is now."""

    base_round: int
    changes: MemoChanges


def _submitted_content(memo: Memo, round_no: int) -> dict | None:
    """The text the round was (last) submitted with, from its submit event; None if not kept."""
    for event in reversed(memo.events):
        if event.action == "submit" and event.round == round_no and (event.data or {}).get("content"):
            return event.data["content"]
    return None


def changes_since_last_round(memo: Memo) -> RoundChanges | None:
    """What changed since the previous round: for a memo in review (or decided) since the round
    before this one was submitted, for a returned memo since its returned round. None when there
    is no earlier round, or it was submitted before rounds kept their text."""
    if memo.state is MemoState.RETURNED:
        base = memo.round
    elif memo.state in (MemoState.IN_REVIEW, MemoState.DECIDED, MemoState.ARCHIVED):
        base = memo.round - 1
    else:
        return None
    if base < 1:
        return None
    old = _submitted_content(memo, base)
    if old is None:
        return None
    return RoundChanges(base, diff_memo(old, snapshot(memo)))


def seed_demo(session: Session, orgs: list[Organization], templates_for: Organization) -> None:
    """The demo's divisions (only where none is set) and templates (only those missing by name)."""
    from ..demo import writing as demo

    users = {u.username: u for u in session.scalars(
        sa.select(User).where(User.organization_id.in_([o.id for o in orgs]),
                              User.username.in_(list(demo.DIVISIONS))))}
    for username, division in demo.DIVISIONS.items():
        user = users.get(username)
        if user is not None and not user.division:
            user.division = division
    for data in demo.TEMPLATES:
        if not _name_taken(session, templates_for.id, data["name"]):
            create_template(session, templates_for, data)
    session.flush()
