"""Organisations, people and the chain: the verbs the CLI, seed and admin pages share."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import signatures
from ..errors import ValidationFailed
from ..models import Chain, ChainStep, Organization, Role, User
from ..numbers import parse_id
from ..thai import utcnow
from . import accounts, audit, sessions
from .text import clean_text


def _nfc(value: str) -> str:
    return clean_text(value or "", "name")


def _check_particulars(name: str, district: str, province: str, prefix: str, errors: dict) -> None:
    """An organisation's name, district, province and number prefix: required, bounded."""
    for key, value, limit in (("name", name, 200), ("district", district, 100),
                              ("province", province, 100), ("prefix", prefix, 50)):
        if not _nfc(value):
            errors[key] = "กรุณากรอกข้อมูล"
        elif len(_nfc(value)) > limit:
            errors[key] = f"ยาวได้ไม่เกิน {limit} ตัวอักษร"


def create_org(session: Session, *, name: str, district: str, province: str, prefix: str) -> Organization:
    errors = {}
    _check_particulars(name, district, province, prefix, errors)
    if errors:
        raise ValidationFailed("ข้อมูลหน่วยงานไม่ถูกต้อง", errors)
    org = Organization(name=_nfc(name), district=_nfc(district), province=_nfc(province),
                       number_prefix=_nfc(prefix), settings={})
    session.add(org)
    session.flush()
    signatures.organization_created(session, org)
    from . import chains

    chains.ensure_default(session, org)
    return org


def find_org(session: Session, name_or_id: str) -> Organization | None:
    org_id = parse_id(str(name_or_id))
    if org_id is not None:
        return session.get(Organization, org_id)
    return session.scalar(sa.select(Organization).where(Organization.name == _nfc(name_or_id)))


def _check_person(full_name: str, position: str, roles: list[str], errors: dict) -> set[Role]:
    """The fields every person has: name and position (Thai, at most 200), at least one known role."""
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
    return role_set


#: The one answer to any refused username: malformed, taken here, or taken in another organisation.
USERNAME_REFUSED = "ชื่อผู้ใช้นี้ใช้ไม่ได้ กรุณาเลือกชื่ออื่น (ตัวอักษรอังกฤษ ตัวเลข หรือ . _ - ไม่เกิน 64 ตัว)"


def create_user(
    session: Session, org: Organization, *, username: str, full_name: str, position: str,
    roles: list[str], password: str, enforce_policy: bool = True, actor: User | None = None,
) -> User:
    errors = {}
    username = (username or "").strip()
    # Usernames are unique across organisations: a name taken anywhere is refused with the same
    # words as a malformed one, so that no admin learns another organisation's usernames.
    well_formed = bool(username) and len(username) <= 64 and all(
        c.isascii() and (c.isalnum() or c in "._-") for c in username)
    taken = session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == username.lower()).limit(1))
    if not well_formed or taken:
        errors["username"] = USERNAME_REFUSED
    role_set = _check_person(full_name, position, roles, errors)
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


def set_chain(session: Session, org: Organization, links: list[tuple[str, str, User]],
              actor: User | None = None) -> list[ChainStep]:
    """Save the organisation's default chain as a new version; memos in flight keep the copy
    they were submitted with. `links`: (title, kind, assignee), one step each, none in a group.

    A chain names positions' holders only: who signs in their stead is an appointment
    (services.appointments), decided when the step is signed.
    """
    rows = [{"title": title, "kind": kind, "assignee_id": assignee.id if assignee is not None else None,
             "group": None} for title, kind, assignee in links]
    return set_chain_rows(session, org, rows, actor=actor)


# --- administration: settings, people, signatures ----------------------------------------

DIGITS = ("thai", "arabic")
ARCHIVE_MODES = ("auto", "records")


def _admin_event(session: Session, org: Organization, actor: User | None, action: str, data: dict) -> None:
    if actor is not None:
        audit.record_event(session, organization_id=org.id, memo=None, actor=actor, action=action,
                           data=data, at=utcnow())


def parse_thresholds(text: str) -> list[dict] | None:
    """Lines "80 มาก" (minimum percentage, label) -> the setting's JSON; blank -> None (the default)."""
    rows = []
    for line in (text or "").splitlines():
        line = _nfc(line)
        if not line:
            continue
        number, _, label = line.partition(" ")
        rows.append({"min_pct": number.strip(), "label": label.strip()})
    return rows or None


def thresholds_text(value: list[dict] | None) -> str:
    """The settings page's text for a stored thresholds setting (the default when unset)."""
    from ..plan_report.compute import (
        DEFAULT_LEVEL_THRESHOLDS,
        validate_level_thresholds,
    )

    bands = validate_level_thresholds(value) if value else DEFAULT_LEVEL_THRESHOLDS
    return "\n".join(f"{row['min_pct']} {row['label']}" for row in bands.to_json())


def update_settings(
    session: Session, org: Organization, *, name: str, district: str, province: str, prefix: str,
    digits: str, archive_mode: str, require_signing_password: bool, level_thresholds: list | None,
    emblem: bytes | None = None, remove_emblem: bool = False, actor: User | None = None,
    plan_report: bool | None = None,
) -> Organization:
    """Change the organisation's particulars and settings; the emblem goes through clean_image."""
    from ..plan_report.compute import ThresholdsError, validate_level_thresholds
    from .images import clean_image

    errors = {}
    _check_particulars(name, district, province, prefix, errors)
    if digits not in DIGITS:
        errors["digits"] = "กรุณาเลือกเลขไทยหรือเลขอารบิก"
    if archive_mode not in ARCHIVE_MODES:
        errors["archive_mode"] = "กรุณาเลือกวิธีจัดเก็บ"
    thresholds_json = None
    if level_thresholds:
        try:
            thresholds_json = validate_level_thresholds(level_thresholds).to_json()
        except ThresholdsError as exc:
            errors["level_thresholds"] = " ".join(exc.errors)
    emblem_png = None
    if emblem:
        try:
            emblem_png = clean_image(emblem)
        except ValidationFailed as exc:
            errors["emblem"] = exc.message
    if errors:
        raise ValidationFailed("ข้อมูลหน่วยงานไม่ถูกต้อง", errors)
    before = {"name": org.name, "district": org.district, "province": org.province,
              "prefix": org.number_prefix, **{k: org.setting(k) for k in DEFAULT_SETTINGS_KEYS}}
    org.name, org.district, org.province, org.number_prefix = (
        _nfc(name), _nfc(district), _nfc(province), _nfc(prefix))
    org.settings = {**(org.settings or {}), "digits": digits, "archive_mode": archive_mode,
                    "require_signing_password": bool(require_signing_password),
                    "level_thresholds": thresholds_json,
                    "plan_report": org.setting("plan_report") if plan_report is None else bool(plan_report)}
    after = {"name": org.name, "district": org.district, "province": org.province,
             "prefix": org.number_prefix, **{k: org.setting(k) for k in DEFAULT_SETTINGS_KEYS}}
    changed = {k: after[k] for k in after if after[k] != before[k]}
    if emblem_png is not None:
        org.emblem_png = emblem_png
        changed["emblem"] = "uploaded"
    elif remove_emblem and org.emblem_png:
        org.emblem_png = None
        changed["emblem"] = "removed"
    session.flush()
    if changed:
        _admin_event(session, org, actor, "admin.update_settings", {"changed": changed})
    return org


DEFAULT_SETTINGS_KEYS = ("digits", "archive_mode", "require_signing_password", "level_thresholds", "plan_report")


def user_in_org(session: Session, org: Organization, user_id: int) -> User:
    """The user with this id in this organisation; another organisation's id is NotFound."""
    from ..errors import NotFound
    from . import security_log

    user_id = parse_id(user_id)
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or user.organization_id != org.id:
        security_log.record("not_found", f"user {user_id}", organization_id=org.id)
        raise NotFound("ไม่พบผู้ใช้นี้")
    return user


def _admins_left(session: Session, org: Organization, without: User) -> int:
    return sum(1 for u in session.scalars(sa.select(User).where(User.organization_id == org.id,
                                                                 User.id != without.id))
               if u.is_active and u.has_role(Role.ADMIN))


def update_user(session: Session, user: User, *, full_name: str, position: str, roles: list[str],
                actor: User | None = None) -> User:
    """Change a person's name, position and roles (an organisation keeps at least one admin)."""
    errors = {}
    role_set = _check_person(full_name, position, roles, errors)
    if role_set and (user.has_role(Role.ADMIN) and Role.ADMIN not in role_set and user.is_active
          and not _admins_left(session, user.organization, user)):
        errors["roles"] = "หน่วยงานต้องมีผู้ดูแลระบบที่ใช้งานอยู่อย่างน้อยหนึ่งคน"
    if errors:
        raise ValidationFailed("ข้อมูลผู้ใช้ไม่ถูกต้อง", errors)
    before = {"full_name": user.full_name, "position": user.position, "roles": sorted(r.value for r in user.roles)}
    user.full_name, user.position = _nfc(full_name), _nfc(position)
    user.roles = role_set
    after = {"full_name": user.full_name, "position": user.position, "roles": sorted(r.value for r in user.roles)}
    session.flush()
    changed = {k: after[k] for k in after if after[k] != before[k]}
    if changed:
        _admin_event(session, user.organization, actor, "admin.update_user",
                     {"user_id": user.id, "username": user.username, "changed": changed})
    return user


def set_active(session: Session, user: User, active: bool, actor: User | None = None) -> User:
    """Deactivate (signed out everywhere, cannot sign in, never assigned) or reactivate a person.

    What a deactivated person already signed stays signed: steps and events are untouched.
    """
    if user.is_active_flag == active:
        return user
    if not active:
        if actor is not None and actor.id == user.id:
            raise ValidationFailed("ไม่สามารถระงับบัญชีของตนเองได้", {"active": "ไม่สามารถระงับบัญชีของตนเองได้"})
        if user.has_role(Role.ADMIN) and not _admins_left(session, user.organization, user):
            raise ValidationFailed("หน่วยงานต้องมีผู้ดูแลระบบที่ใช้งานอยู่อย่างน้อยหนึ่งคน",
                                   {"active": "ต้องมีผู้ดูแลระบบอย่างน้อยหนึ่งคน"})
        user.session_version += 1  # ends every API token at once
        sessions.end_all(session, user, "deactivated")
    user.is_active_flag = active
    session.flush()
    _admin_event(session, user.organization, actor, "admin.activate_user" if active else "admin.deactivate_user",
                 {"user_id": user.id, "username": user.username})
    return user


def end_sessions(session: Session, user: User, actor: User | None = None) -> int:
    """Sign a person out everywhere: every page session and every API token; how many sessions."""
    user.session_version += 1  # API tokens carry the version they were issued with
    ended = sessions.end_all(session, user, "admin_signout")
    session.flush()
    _admin_event(session, user.organization, actor, "admin.end_sessions",
                 {"user_id": user.id, "username": user.username, "sessions": ended})
    return ended


def in_chain(session: Session, user: User) -> bool:
    """Whether the person is an assignee of one of their organisation's active chains."""
    return session.scalar(sa.select(ChainStep.id).join(Chain, Chain.id == ChainStep.chain_id).where(
        ChainStep.organization_id == user.organization_id, ChainStep.assignee_id == user.id,
        Chain.active).limit(1)) is not None


def generate_password(username: str = "") -> str:
    """A random password that passes the policy (shown once, changed at first sign-in)."""
    import secrets

    while True:
        password = secrets.token_urlsafe(12)
        try:
            accounts.check_policy(password, username)
        except ValidationFailed:
            continue
        return password


def reset_password(session: Session, user: User, actor: User | None = None) -> str:
    """A new generated password the person must change at next sign-in; returned once, never stored."""
    password = generate_password(user.username)
    accounts.set_password(user, password, reason="password_reset")  # also ends every session and token
    user.must_change_password = True
    session.flush()
    signatures.password_reset(session, user)
    _admin_event(session, user.organization, actor, "admin.reset_password",
                 {"user_id": user.id, "username": user.username})
    return password


def set_signature(session: Session, user: User, data: bytes | None, actor: User | None = None) -> User:
    """Store a person's signature image (checked and re-encoded), or remove it with data=None."""
    from .images import clean_image

    if data is None:
        if user.signature_png is None:
            return user
        user.signature_png = None
        action = "admin.remove_signature"
    else:
        try:
            user.signature_png = clean_image(data)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, {"signature": exc.message}) from None
        action = "admin.set_signature"
    session.flush()
    _admin_event(session, user.organization, actor, action, {"user_id": user.id, "username": user.username})
    return user


def set_chain_rows(session: Session, org: Organization, rows: list[dict], actor: User | None = None
                   ) -> list[ChainStep]:
    """Save the default chain's steps from the editor's rows {"title", "kind", "assignee_id", "group"}.

    An assignee id that is not a person of this organisation is a field error, like an inactive one.
    """
    from . import chains

    default = chains.ensure_default(session, org)
    chain = chains.save_chain(session, org, {"steps": [dict(r) for r in rows]}, chain=default, actor=actor)
    return list(chain.steps)
