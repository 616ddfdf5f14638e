"""Each organisation's certificate authority: its key (encrypted at rest), the certificates it
issues to people, and its certificate revocation list.

The CA key is encrypted with AES-256-GCM under a key from the configuration:
``SIGNING_CA_KEY`` (any string of at least 32 characters; HKDF turns it into the key), or,
when it is not set, a key derived from ``SECRET_KEY`` with HKDF and a label of its own, so
that the derived key is used for nothing else. Rotating ``SECRET_KEY`` without setting
``SIGNING_CA_KEY`` to the old derivation first makes the CA keys unusable (the README says
how to rotate).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import current_app
from sqlalchemy.orm import Session

from ..models import Organization
from ..thai import utcnow
from .models import SigningAuthority

CA_YEARS = 30  #: records are kept for ten years and more; the CA outlives them
USER_YEARS = 10
CRL_DAYS = 3650  #: the CRL is re-issued at each revocation; a long nextUpdate keeps old PDFs checkable
_LABEL = b"e-saraban signing CA key encryption v1"


def setting(name: str) -> str | None:
    """A signatures setting: the app's configuration, else the environment (SIGNING_CA_KEY,
    SIGNING_TSA_URL, PUBLIC_URL), so that approval/config.py needs no change."""
    return current_app.config.get(name) or os.environ.get(name) or None


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _master_key() -> tuple[bytes, str]:
    """(AES key, its source): SIGNING_CA_KEY when set, else derived from SECRET_KEY."""
    configured = setting("SIGNING_CA_KEY")
    source = "config" if configured else "secret_key"
    secret = (configured or current_app.config["SECRET_KEY"]).encode("utf-8")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL + b"/" + source.encode()).derive(secret)
    return key, source


def _encrypt_ca_key(key: ec.EllipticCurvePrivateKey, aad: bytes) -> tuple[bytes, str]:
    master, source = _master_key()
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    nonce = os.urandom(12)
    return nonce + AESGCM(master).encrypt(nonce, der, aad), source


def ca_private_key(authority: SigningAuthority) -> ec.EllipticCurvePrivateKey:
    master, source = _master_key()
    if source != authority.key_source:
        raise RuntimeError(f"the CA key of organisation {authority.organization_id} was encrypted under "
                           f"{authority.key_source!r}, but the configuration now gives {source!r}")
    blob = authority.key_encrypted
    der = AESGCM(master).decrypt(blob[:12], blob[12:], _aad(authority.organization_id))
    return serialization.load_der_private_key(der, password=None)


def _aad(organization_id: int) -> bytes:
    return f"signing-ca:{organization_id}".encode()


def ca_certificate(authority: SigningAuthority) -> x509.Certificate:
    return x509.load_der_x509_certificate(authority.certificate)


def fit(value: str, limit: int = 64) -> str:
    """`value` cut to at most `limit` UTF-8 bytes (X.509 name limits count bytes; Thai is 3 a letter)."""
    value = (value or "-").strip() or "-"
    while len(value.encode("utf-8")) > limit:
        value = value[:-1]
    return value


def _org_name(org: Organization, common_name: str) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "TH")]
    if org.province:
        attrs.append(x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, fit(org.province, 128)))
    attrs += [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, fit(org.name)),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"e-Saraban org {org.id}"),
        x509.NameAttribute(NameOID.COMMON_NAME, fit(common_name)),
    ]
    return x509.Name(attrs)


def create_authority(session: Session, org: Organization) -> SigningAuthority:
    """A new CA for the organisation: EC P-256 key, self-signed certificate, empty CRL."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = utcnow()
    name = _org_name(org, f"CA {org.name}")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    encrypted, source = _encrypt_ca_key(key, _aad(org.id))
    authority = SigningAuthority(organization_id=org.id, certificate=der, fingerprint=fingerprint(der),
                                 key_encrypted=encrypted, key_source=source, next_serial=1, crl_number=0)
    session.add(authority)
    session.flush()
    publish_crl(session, authority, key=key, revoked=[])
    return authority


def authority_for(session: Session, organization_id: int, *, create: bool = True) -> SigningAuthority | None:
    """The organisation's CA; created on first use for organisations older than this feature."""
    authority = session.scalar(sa.select(SigningAuthority).where(SigningAuthority.organization_id == organization_id))
    if authority is None and create:
        authority = create_authority(session, session.get(Organization, organization_id))
    return authority


def issue_certificate(session: Session, authority: SigningAuthority, org: Organization, user,
                      public_key: ec.EllipticCurvePublicKey) -> tuple[x509.Certificate, int]:
    """A signing certificate for `user` (non-repudiation, document signing)."""
    ca_key = ca_private_key(authority)
    ca_cert = ca_certificate(authority)
    serial = (authority.organization_id << 32) + authority.next_serial
    authority.next_serial += 1
    now = utcnow()
    subject = _org_name(org, user.full_name)
    subject = x509.Name([*subject, x509.NameAttribute(NameOID.USER_ID, fit(user.username)),
                         x509.NameAttribute(NameOID.TITLE, fit(user.position))])
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca_cert.subject)
        .public_key(public_key).serial_number(serial)
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + dt.timedelta(days=365 * USER_YEARS), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION,
                                              x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")]),
                       critical=False)  # S/MIME-style signing and document signing
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, serial


REASONS = {
    "password_reset": x509.ReasonFlags.superseded,
    "admin": x509.ReasonFlags.cessation_of_operation,
    "compromise": x509.ReasonFlags.key_compromise,
}


def publish_crl(session: Session, authority: SigningAuthority, *, key=None, revoked=None) -> bytes:
    """Re-issue the CA's CRL from the revoked keys of its organisation."""
    from .models import SigningKey

    if revoked is None:
        revoked = list(session.scalars(
            sa.select(SigningKey).where(SigningKey.organization_id == authority.organization_id,
                                        SigningKey.revoked_at.is_not(None)).order_by(SigningKey.serial)))
    key = key or ca_private_key(authority)
    ca_cert = ca_certificate(authority)
    now = utcnow()
    authority.crl_number += 1
    builder = (
        x509.CertificateRevocationListBuilder().issuer_name(ca_cert.subject)
        .last_update(now - dt.timedelta(minutes=1)).next_update(now + dt.timedelta(days=CRL_DAYS))
        .add_extension(x509.CRLNumber(authority.crl_number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
    )
    for row in revoked:
        entry = (x509.RevokedCertificateBuilder().serial_number(row.serial).revocation_date(row.revoked_at)
                 .add_extension(x509.CRLReason(REASONS.get(row.revocation_reason or "", x509.ReasonFlags.unspecified)),
                                critical=False).build())
        builder = builder.add_revoked_certificate(entry)
    crl = builder.sign(key, hashes.SHA256())
    authority.crl = crl.public_bytes(serialization.Encoding.DER)
    return authority.crl
