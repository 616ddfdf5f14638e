"""The tables of digital signatures: each organisation's CA, each person's keys, the signature
of each signing step, and the seal (PAdES signature, QR token) of each frozen document."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models.base import UTCDateTime, utcnow
from ..models.tenancy import many_to_one, tenant_fk, tenant_id, tenant_pk


class SigningAuthority(db.Model):
    """The organisation's own certificate authority (one per organisation).

    The private key is stored only encrypted (AES-GCM) under a key from the configuration
    (``SIGNING_CA_KEY``, or derived from ``SECRET_KEY``): never in the clear.
    """

    __tablename__ = "signing_authority"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), unique=True)
    certificate: Mapped[bytes] = mapped_column(sa.LargeBinary)  #: DER
    fingerprint: Mapped[str] = mapped_column(sa.String(64), unique=True)  #: SHA-256 of the DER
    key_encrypted: Mapped[bytes] = mapped_column(sa.LargeBinary)  #: nonce + AES-GCM(PKCS#8 DER)
    key_source: Mapped[str] = mapped_column(sa.String(20))  #: "config" or "secret_key"
    next_serial: Mapped[int] = mapped_column(default=1)
    crl: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True)  #: DER, re-issued at each revocation
    crl_number: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SigningKey(db.Model):
    """A person's key pair and certificate; the private key wrapped under their password."""

    __tablename__ = "signing_key"
    __table_args__ = (sa.Index("ix_signing_key_user", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    serial: Mapped[int] = mapped_column(sa.BigInteger)
    certificate: Mapped[bytes] = mapped_column(sa.LargeBinary)  #: DER, issued by the organisation's CA
    fingerprint: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kdf: Mapped[str] = mapped_column(sa.String(100))  #: "argon2id$t=..$m=..$p=.."
    salt: Mapped[bytes] = mapped_column(sa.LargeBinary)
    wrapped_key: Mapped[bytes] = mapped_column(sa.LargeBinary)  #: nonce + AES-GCM(PKCS#8 DER)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revocation_reason: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)

    user = relationship("User")


class StepSignature(db.Model):
    """The detached CMS signature of one signing act (forward, return, order)."""

    __tablename__ = "step_signature"
    __table_args__ = (
        tenant_pk(),
        sa.UniqueConstraint("step_id", "organization_id"),
        tenant_fk("memo_id", "memo"),
        tenant_fk("step_id", "step"),
    )

    id: Mapped[int] = tenant_id("step_signature")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    memo_id: Mapped[int] = mapped_column(index=True)
    step_id: Mapped[int] = mapped_column()
    key_id: Mapped[int] = mapped_column(sa.ForeignKey("signing_key.id"), index=True)
    content: Mapped[str] = mapped_column(sa.Text)  #: the canonical JSON that was signed
    cms: Mapped[bytes] = mapped_column(sa.LargeBinary)  #: DER SignedData, detached
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    key: Mapped[SigningKey] = relationship()
    step = relationship("Step", primaryjoin=many_to_one("StepSignature", "Step", "step_id"))

    __mapper_args__ = {"primary_key": [id]}  # noqa: RUF012


class DocumentSeal(db.Model):
    """What was done to a frozen document: its QR token, its unsigned render, its PDF signature."""

    __tablename__ = "document_seal"
    __table_args__ = (
        tenant_pk(),
        sa.UniqueConstraint("memo_id", "organization_id"),
        # /verify/<token> finds the seal by its token alone: the index leads with it.
        sa.UniqueConstraint("token", "organization_id"),
        tenant_fk("memo_id", "memo"),
    )

    id: Mapped[int] = tenant_id("document_seal")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    memo_id: Mapped[int] = mapped_column()
    token: Mapped[str] = mapped_column(sa.String(64))  #: /verify/<token>, random (unique in practice everywhere)
    rendered_sha256: Mapped[str] = mapped_column(sa.String(64))  #: the renderer's bytes, before sealing
    key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signing_key.id"), nullable=True)
    pdf_signed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    key: Mapped[SigningKey | None] = relationship()

    __mapper_args__ = {"primary_key": [id]}  # noqa: RUF012
