"""Organisations, people and the chain: the verbs the CLI, seed and admin pages share."""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..errors import ValidationFailed
from ..models import ChainStep, Organization, Role, StepKind, User
from . import accounts, audit
from ..thai import utcnow


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", (value or "").strip())


def create_org(session: Session, *, name: str, district: str, province: str, prefix: str) -> Organization:
    errors = {}
    for key, value, limit in (("name", name, 200), ("district", district, 100),
                              ("province", province, 100), ("prefix", prefix, 50)):
        if not _nfc(value):
            errors[key] = "กรุณากรอกข้อมูล"
        elif len(_nfc(value)) > limit:
            errors[key] = f"ยาวได้ไม่เกิน {limit} ตัวอักษร"
    if errors:
        raise ValidationFailed("ข้อมูลหน่วยงานไม่ถูกต้อง", errors)
    org = Organization(name=_nfc(name), district=_nfc(district), province=_nfc(province),
                       number_prefix=_nfc(prefix), settings={})
    session.add(org)
    session.flush()
    return org


def find_org(session: Session, name_or_id: str) -> Organization | None:
    if str(name_or_id).isdigit():
        return session.get(Organization, int(name_or_id))
    return session.scalar(sa.select(Organization).where(Organization.name == _nfc(name_or_id)))


def create_user(
    session: Session, org: Organization, *, username: str, full_name: str, position: str,
    roles: list[str], password: str, enforce_policy: bool = True, actor: User | None = None,
) -> User:
    errors = {}
    username = (username or "").strip()
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-" for c in username):
        errors["username"] = "ชื่อผู้ใช้ต้องเป็นตัวอักษรอังกฤษ ตัวเลข หรือ . _ - ไม่เกิน 64 ตัว"
    elif session.scalar(sa.select(User.id).where(User.username == username)):
        errors["username"] = "ชื่อผู้ใช้นี้มีอยู่แล้ว"
    if not _nfc(full_name) or len(_nfc(full_name)) > 200:
        errors["full_name"] = "กรุณากรอกชื่อ-สกุล (ไม่เกิน 200 ตัวอักษร)"
    if not _nfc(position) or len(_nfc(position)) > 200:
        errors["position"] = "กรุณากรอกตำแหน่ง (ไม่เกิน 200 ตัวอักษร)"
    try:
        role_set = {Role(r) for r in roles}
    except ValueError:
        role_set = set()
    if not role_set:
        errors["roles"] = "กรุณาเลือกบทบาทที่ถูกต้องอย่างน้อยหนึ่งบทบาท"
    if enforce_policy:
        try:
            accounts.check_policy(password, username)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed("ข้อมูลผู้ใช้ไม่ถูกต้อง", errors)
    user = User(organization_id=org.id, organization=org, username=username, full_name=_nfc(full_name),
                position=_nfc(position), password_hash=accounts.hash_password(password))
    user.roles = role_set
    session.add(user)
    session.flush()
    if actor is not None:
        audit.record_event(session, organization_id=org.id, memo=None, actor=actor, action="admin.create_user",
                           data={"user_id": user.id, "username": username}, at=utcnow())
    return user


def set_chain(session: Session, org: Organization, links: list[tuple[str, str, User, str | None]],
              actor: User | None = None) -> list[ChainStep]:
    """Replace the organisation's chain; memos in flight keep the copy they were submitted with."""
    errors = {}
    if not links:
        errors["chain"] = "ต้องมีอย่างน้อยหนึ่งขั้น"
    kinds = [StepKind(kind) for _, kind, _, _ in links]
    if kinds and (kinds[-1] is not StepKind.ORDER or kinds.count(StepKind.ORDER) != 1):
        errors["chain"] = "ต้องมีขั้นสั่งการหนึ่งขั้น และต้องเป็นขั้นสุดท้าย"
    for i, (title, _, assignee, _) in enumerate(links):
        if not _nfc(title) or len(_nfc(title)) > 200:
            errors[f"chain.{i}.title"] = "กรุณากรอกหัวข้อ (ไม่เกิน 200 ตัวอักษร)"
        if assignee.organization_id != org.id or not assignee.is_active:
            errors[f"chain.{i}.assignee"] = "ผู้ลงนามต้องเป็นผู้ใช้ที่ใช้งานอยู่ของหน่วยงานนี้"
    if errors:
        raise ValidationFailed("สายการลงนามไม่ถูกต้อง", errors)
    session.execute(sa.delete(ChainStep).where(ChainStep.organization_id == org.id))
    session.flush()
    steps = []
    for position, (title, kind, assignee, acting) in enumerate(links, start=1):
        step = ChainStep(organization_id=org.id, position=position, title=_nfc(title), kind=StepKind(kind),
                         assignee_id=assignee.id, assignee=assignee, acting=_nfc(acting) if acting else None)
        session.add(step)
        steps.append(step)
    session.flush()
    session.expire(org, ["chain"])
    if actor is not None:
        audit.record_event(session, organization_id=org.id, memo=None, actor=actor, action="admin.set_chain",
                           data={"steps": [[s.title, s.kind.value, s.assignee_id] for s in steps]}, at=utcnow())
    return steps
