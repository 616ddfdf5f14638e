"""Passwords (argon2), login with per-account lockout, and API bearer tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from .. import signatures
from ..errors import DomainError, ValidationFailed
from ..models import ApiToken, User
from ..thai import utcnow
from .text import is_storable

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (ASVS 2.4)
MAX_FAILURES = 5
LOCK_MINUTES = 15
PASSWORD_MIN = 10
_DUMMY_HASH = _hasher.hash("timing-equaliser")


def use_fast_hasher() -> None:
    """Cheap argon2 parameters for the test suite only (never in the app)."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    _DUMMY_HASH = _hasher.hash("timing-equaliser")


class AccountLocked(DomainError):
    status, code = 429, "too_many_requests"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    if not is_storable(password or ""):
        return False
    try:
        return _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def check_policy(password: str, username: str = "") -> None:
    """The password policy for accounts the admin creates and for changes (ASVS 2.1)."""
    problems = []
    if len(password) < PASSWORD_MIN:
        problems.append(f"ต้องยาวอย่างน้อย {PASSWORD_MIN} ตัวอักษร")
    if len(password) > 128:
        problems.append("ต้องยาวไม่เกิน 128 ตัวอักษร")
    if username and username.lower() in password.lower():
        problems.append("ต้องไม่มีชื่อผู้ใช้อยู่ในรหัสผ่าน")
    if problems:
        raise ValidationFailed("รหัสผ่าน" + " และ".join(problems), {"password": " ".join(problems)})


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user for these credentials, counting failures; locked accounts raise AccountLocked."""
    if not is_storable((username or "") + (password or "")):  # NUL / lone surrogate: no such user
        return None
    user = session.scalar(sa.select(User).where(User.username == (username or "").strip()))
    now = utcnow()
    if user is None:
        try:
            _hasher.verify(_DUMMY_HASH, password or "")
        except VerificationError:
            pass
        return None
    if user.locked_until and user.locked_until > now:
        raise AccountLocked("บัญชีนี้ถูกระงับชั่วคราวเพราะเข้าสู่ระบบผิดหลายครั้ง กรุณารอ 15 นาทีแล้วลองใหม่")
    if not verify_password(user, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
        return None
    if not user.is_active:
        return None
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    signatures.signed_in(session, user, password)
    return user


def set_password(user: User, password: str) -> None:
    """Change the password and end every session and token of the user."""
    user.password_hash = hash_password(password)
    user.session_version += 1
    user.must_change_password = False


def change_password(user: User, current: str, new: str) -> None:
    """A user's own change: the current password, then the policy; ends every other session."""
    if not verify_password(user, current):
        raise ValidationFailed("รหัสผ่านปัจจุบันไม่ถูกต้อง", {"current_password": "รหัสผ่านปัจจุบันไม่ถูกต้อง"})
    try:
        check_policy(new, user.username)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, {"new_password": exc.fields.get("password", exc.message)}) from None
    signatures.password_changed(user, current, new)
    set_password(user, new)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, hours: int) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        organization_id=user.organization_id, user_id=user.id, token_hash=_digest(token),
        session_version=user.session_version, expires_at=utcnow() + dt.timedelta(hours=hours),
    )
    session.add(row)
    return token, row


def user_for_token(session: Session, token: str) -> tuple[User, ApiToken] | None:
    row = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(token or "")))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    user = row.user
    if not user.is_active or user.session_version != row.session_version:
        return None
    return user, row


def revoke_token(row: ApiToken) -> None:
    row.revoked_at = utcnow()
