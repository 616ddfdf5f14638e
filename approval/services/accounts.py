"""Passwords (argon2), sign-in and confirmations with growing delays (services.throttle), API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session, object_session

from .. import signatures
from ..errors import ConfirmationFailed, ValidationFailed
from ..models import ApiToken, User, UserSession
from ..thai import utcnow
from . import security_log, sessions, throttle
from .text import is_storable

#: argon2id parameters of new password hashes: OWASP's Password Storage Cheat Sheet
#: (m=19 MiB, t=2, p=1; ASVS 2.4), the same as the signing keys' wrapping
#: (signatures/keys.KDF_PARAMS). About 25 ms of one core per check on this class of server,
#: where argon2-cffi's default (RFC 9106 low-memory: m=64 MiB, t=3, p=4) cost about 180 ms
#: of CPU (4 lanes) and was two thirds of the application's CPU under load (issue 20,
#: bench/load.py). p=1: a request uses one core; the other core serves the next request.
#: Hashes made with other parameters are re-hashed at the next successful sign-in or
#: confirmation (check_needs_rehash).
PASSWORD_PARAMS = {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}
_hasher = PasswordHasher(**PASSWORD_PARAMS)
PASSWORD_MIN = 10
_DUMMY_HASH = _hasher.hash("timing-equaliser")


def use_fast_hasher() -> None:
    """Cheap argon2 parameters for the test suite only (never in the app)."""
    use_hasher(time_cost=1, memory_cost=1024, parallelism=1)


def use_hasher(**params) -> None:
    """Hash new passwords with these argon2id parameters (the tests' cheap ones, or PASSWORD_PARAMS)."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(**params)
    _DUMMY_HASH = _hasher.hash("timing-equaliser")


def needs_rehash(user: User) -> bool:
    """True when the stored hash was made with other parameters than today's."""
    try:
        return _hasher.check_needs_rehash(user.password_hash or "")
    except InvalidHashError:
        return True


#: The count of wrong confirmations (signing, profile) at which the session or token is ended.
CONFIRMATION_MAX = throttle.FREE_FAILURES
LOGIN_WAIT = "เข้าสู่ระบบผิดหลายครั้ง กรุณารอ {wait} แล้วลองใหม่"
CONFIRMATION_WAIT = "ยืนยันรหัสผ่านผิดหลายครั้ง กรุณารอ {wait} แล้วลองใหม่"
CONFIRMATION_ENDED = "ยืนยันรหัสผ่านผิดหลายครั้ง ระบบจึงออกจากระบบเพื่อความปลอดภัย กรุณาเข้าสู่ระบบใหม่"


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


def _burn(password: str) -> None:
    """A password check against nothing: an unknown name costs what a known one does."""
    try:
        _hasher.verify(_DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        pass


def authenticate(session: Session, username: str, password: str, *, client: str = "local") -> User | None:
    """The user for these credentials, or None; throttle.Throttled while (account, client) waits.

    Unknown names are counted and timed like known ones (the key is the normalised name).
    """
    if not is_storable((username or "") + (password or "")):  # NUL / lone surrogate: no such user
        return None
    name = (username or "").strip()
    key = throttle.login_key(name, client)
    try:
        throttle.reserve(key, LOGIN_WAIT)
    except throttle.Throttled as exc:
        security_log.record("login_throttled", f"wait {exc.retry_after}s", username=name[:64], **throttle.where())
        raise
    user = session.scalar(sa.select(User).where(User.username == name))
    if user is None:
        _burn(password)
        security_log.record("login_failed", "unknown_user", username=name[:64], **throttle.where())
        return None
    if not verify_password(user, password):
        security_log.record("login_failed", "wrong_password", user=user, username=name, **throttle.where())
        return None
    if not user.is_active:
        security_log.record("login_failed", "inactive", user=user, username=name, **throttle.where())
        return None
    throttle.clear(key)
    if needs_rehash(user):  # older parameters: re-hashed now that the password is at hand
        user.password_hash = hash_password(password)
    signatures.signed_in(session, user, password)
    return user


def confirm_password(user: User, password: str | None, prove=None) -> None:
    """A signed-in person proves it is them (signing, changing the password); throttled per account.

    Wrong: ConfirmationFailed, with ``ends_session`` once CONFIRMATION_MAX wrong ones are counted
    (the caller ends the session or revokes the token). Waiting: throttle.Throttled (429).

    ``prove(password)``: another proof of the password, tried first (after the throttle), e.g.
    opening the person's signing key with it; when it fails the password hash is checked as
    always. Signing then derives one argon2 key, not two (about 25 ms of CPU per act).
    """
    if not password:
        raise ConfirmationFailed("รหัสผ่านยืนยันการลงนามไม่ถูกต้อง")
    key = throttle.confirmation_key(user.id)
    try:
        failures = throttle.reserve(key, CONFIRMATION_WAIT)
    except throttle.Throttled as exc:
        security_log.record("confirmation_throttled", f"wait {exc.retry_after}s", user=user,
                            username=user.username, **throttle.where())
        raise
    if (prove is not None and prove(password)) or verify_password(user, password):
        throttle.clear(key)
        if needs_rehash(user):  # a session older than the parameters: re-hashed at its next signing
            user.password_hash = hash_password(password)
        return
    ends = failures >= CONFIRMATION_MAX
    security_log.record("confirmation_failed", f"failure {failures}" + (", session ended" if ends else ""),
                        user=user, username=user.username, **throttle.where())
    error = ConfirmationFailed(CONFIRMATION_ENDED if ends else "รหัสผ่านยืนยันการลงนามไม่ถูกต้อง")
    error.ends_session = ends
    raise error


def set_password(user: User, password: str, *, reason: str = "password_changed",
                 keep: UserSession | None = None) -> None:
    """Change the password and end every session (but ``keep``) and every token of the user."""
    user.password_hash = hash_password(password)
    user.session_version += 1  # API tokens carry the version they were issued with
    user.must_change_password = False
    session = object_session(user)
    if session is not None:
        sessions.end_all(session, user, reason, keep=keep)


def change_password(user: User, current: str, new: str, keep: UserSession | None = None) -> None:
    """A user's own change: the current password (throttled like a confirmation), then the policy;
    ends every other session."""
    try:
        confirm_password(user, current)
    except ConfirmationFailed as exc:
        message = exc.message if getattr(exc, "ends_session", False) else "รหัสผ่านปัจจุบันไม่ถูกต้อง"
        error = ValidationFailed(message, {"current_password": message})
        error.ends_session = getattr(exc, "ends_session", False)
        raise error from None
    try:
        check_policy(new, user.username)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, {"new_password": exc.fields.get("password", exc.message)}) from None
    signatures.password_changed(user, current, new)
    set_password(user, new, keep=keep)


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
