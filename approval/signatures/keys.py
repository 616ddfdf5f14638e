"""People's signing keys: generated, certified by the organisation's CA, and kept wrapped under
a key derived from the person's own password (argon2id), so that the server alone cannot use
them. The password is at hand only when the person types it: at sign-in and at each signing act.

* :func:`unlock` -- the person's key for this signing act (issued on first use when they have none).
* :func:`ensure_key` -- at sign-in: issue a key when the person has no usable one (first sign-in,
  or after an admin's password reset revoked the old one).
* :func:`rewrap` -- a password change wraps the same key under the new password.
* :func:`revoke_all` -- an admin's password reset revokes the certificate (CRL re-issued).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import sqlalchemy as sa
from argon2.low_level import Type, hash_secret_raw
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from ..errors import DomainError
from ..thai import utcnow
from . import ca
from .models import SigningKey

#: argon2id parameters of new wrappings: OWASP's (m=19 MiB, t=2, p=1), the same as the
#: password hashes (services/accounts.PASSWORD_PARAMS), about 25 ms per signing act. Each
#: wrapping stores its own; one made with other parameters is re-wrapped at the next sign-in.
DEFAULT_KDF_PARAMS = {"t": 2, "m": 19456, "p": 1}
KDF_PARAMS = dict(DEFAULT_KDF_PARAMS)


def use_fast_kdf() -> None:
    """Cheap parameters for the test suite only (never in the app)."""
    KDF_PARAMS.update(t=1, m=1024, p=1)


class KeyUnavailable(DomainError):
    """The signer's key cannot be used (wrong password, revoked certificate)."""

    status, code = 409, "key_unavailable"


@dataclass
class UnlockedKey:
    """A person's key in memory for one signing act: never stored in this form."""

    row: SigningKey
    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    ca_certificate: x509.Certificate


def _kdf_text(params: dict) -> str:
    return f"argon2id$t={params['t']}$m={params['m']}$p={params['p']}"


def _derive(password: str, salt: bytes, kdf: str) -> bytes:
    name, *parts = kdf.split("$")
    if name != "argon2id":
        raise ValueError(f"unknown key derivation {name!r}")
    params = {k: int(v) for k, v in (p.split("=") for p in parts)}
    return hash_secret_raw((password or "").encode("utf-8"), salt, time_cost=params["t"], memory_cost=params["m"],
                           parallelism=params["p"], hash_len=32, type=Type.ID)


def _aad(user_id: int, fp: str) -> bytes:
    return f"user-key:{user_id}:{fp}".encode()


def _wrap(private_key: ec.EllipticCurvePrivateKey, password: str, user_id: int, fp: str) -> tuple[str, bytes, bytes]:
    kdf, salt = _kdf_text(KDF_PARAMS), os.urandom(16)
    der = private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    nonce = os.urandom(12)
    return kdf, salt, nonce + AESGCM(_derive(password, salt, kdf)).encrypt(nonce, der, _aad(user_id, fp))


def unwrap(row: SigningKey, password: str) -> ec.EllipticCurvePrivateKey:
    """The private key, or KeyUnavailable when the password does not open it."""
    key = _derive(password, row.salt, row.kdf)
    try:
        der = AESGCM(key).decrypt(row.wrapped_key[:12], row.wrapped_key[12:], _aad(row.user_id, row.fingerprint))
    except InvalidTag:
        raise KeyUnavailable("รหัสผ่านไม่สามารถเปิดกุญแจลงนามของท่านได้") from None
    return serialization.load_der_private_key(der, password=None)


def current_key(session: Session, user) -> SigningKey | None:
    """The person's unrevoked key (the newest), or None."""
    return session.scalar(
        sa.select(SigningKey).where(SigningKey.user_id == user.id, SigningKey.revoked_at.is_(None))
        .order_by(SigningKey.id.desc()).limit(1)
    )


def issue_key(session: Session, user, password: str) -> UnlockedKey:
    """A new key pair for `user`, certified by the organisation's CA, wrapped under `password`."""
    authority = ca.authority_for(session, user.organization_id)
    private_key = ec.generate_private_key(ec.SECP256R1())
    cert, serial = ca.issue_certificate(session, authority, user.organization, user, private_key.public_key())
    der = cert.public_bytes(serialization.Encoding.DER)
    fp = ca.fingerprint(der)
    kdf, salt, wrapped = _wrap(private_key, password, user.id, fp)
    row = SigningKey(organization_id=user.organization_id, user_id=user.id, serial=serial, certificate=der,
                     fingerprint=fp, kdf=kdf, salt=salt, wrapped_key=wrapped, created_at=utcnow())
    session.add(row)
    session.flush()
    return UnlockedKey(row, private_key, cert, ca.ca_certificate(authority))


def unlock(session: Session, user, password: str) -> UnlockedKey:
    """The person's key opened with their password (a new one if they have none yet)."""
    row = current_key(session, user)
    if row is None:
        return issue_key(session, user, password)
    return _opened(session, user, row, unwrap(row, password))


def _opened(session: Session, user, row: SigningKey, private_key) -> UnlockedKey:
    authority = ca.authority_for(session, user.organization_id)
    return UnlockedKey(row, private_key, x509.load_der_x509_certificate(row.certificate),
                       ca.ca_certificate(authority))


def open_existing(session: Session, user, password: str) -> UnlockedKey | None:
    """The person's existing key opened with `password`, or None when they have none or the
    password does not open it. Never issues a key: a password not yet verified must not
    become the wrapping of a new one. A key that opens proves the password (AES-GCM is
    authenticated), so signing needs one argon2 derivation, not two (the act's confirmation
    uses this: accounts.confirm_password's ``prove``)."""
    row = current_key(session, user)
    if row is None:
        return None
    try:
        return _opened(session, user, row, unwrap(row, password))
    except KeyUnavailable:
        return None


def ensure_key(session: Session, user, password: str) -> SigningKey:
    """At sign-in: the person's key, issued now when they have none usable, and re-wrapped
    under today's KDF_PARAMS when it was wrapped with others (the password is at hand)."""
    row = current_key(session, user)
    if row is None:
        row = issue_key(session, user, password).row
    elif row.kdf != _kdf_text(KDF_PARAMS):
        try:
            private_key = unwrap(row, password)
        except KeyUnavailable:  # wrapped under another password: left as it is (see rewrap)
            return row
        row.kdf, row.salt, row.wrapped_key = _wrap(private_key, password, user.id, row.fingerprint)
    return row


def rewrap(session: Session, user, current: str, new: str) -> None:
    """A password change: the same key, wrapped under the new password (no new certificate)."""
    row = current_key(session, user)
    if row is None:
        return
    try:
        private_key = unwrap(row, current)
    except KeyUnavailable:
        # The key was wrapped under a password the person no longer has: retire it.
        revoke_all(session, user, "password_reset")
        return
    row.kdf, row.salt, row.wrapped_key = _wrap(private_key, new, user.id, row.fingerprint)


def revoke_all(session: Session, user, reason: str) -> int:
    """Revoke every unrevoked key of `user` and re-publish the CRL; the number revoked."""
    rows = list(session.scalars(sa.select(SigningKey).where(SigningKey.user_id == user.id,
                                                            SigningKey.revoked_at.is_(None))))
    if not rows:
        return 0
    # A CRL states revocation times to the second: round up, so that the CRL says exactly what
    # the row says and a signature made just before the revocation is never read as after it.
    now = utcnow()
    if now.microsecond:
        now = now.replace(microsecond=0) + dt.timedelta(seconds=1)
    for row in rows:
        row.revoked_at, row.revocation_reason = now, reason
    session.flush()
    authority = ca.authority_for(session, user.organization_id)
    ca.publish_crl(session, authority)
    return len(rows)
