"""What protects the audit chain from someone with database access: checkpoints of each
organisation's chain heads signed with a key kept out of the database, and the signature
images as they were when signed, kept once by their SHA-256."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow
from .tenancy import tenant_id, tenant_pk


class AuditCheckpoint(db.Model):
    """One checkpoint of an organisation's event chains (the trusted copy is the exported file).

    ``heads`` maps each chain ("admin", or "memo:<id>") whose head changed since the
    previous checkpoint to [event id, hash]; ``last_event_id``/``head_hash`` are the
    organisation's latest event, ``event_count`` its events up to that id. ``signature``
    is made by ``scheme`` (today "hmac-sha256" with a key from the configuration) over the
    record's canonical JSON; ``prev_signature`` links it to the previous checkpoint.
    """

    __tablename__ = "audit_checkpoint"
    __table_args__ = (
        tenant_pk(),
        sa.UniqueConstraint("organization_id", "seq", name="uq_audit_checkpoint_seq"),
    )

    id: Mapped[int] = tenant_id("audit_checkpoint")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    seq: Mapped[int] = mapped_column()
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_event_id: Mapped[int | None] = mapped_column(nullable=True)
    head_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    event_count: Mapped[int] = mapped_column(default=0)
    heads: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    prev_signature: Mapped[str] = mapped_column(sa.Text, default="")
    scheme: Mapped[str] = mapped_column(sa.String(40))
    signature: Mapped[str] = mapped_column(sa.Text)

    __mapper_args__ = {"primary_key": [id]}  # noqa: RUF012

    def __repr__(self) -> str:
        return f"<AuditCheckpoint org {self.organization_id} #{self.seq}>"


class SignatureImage(db.Model):
    """A signature PNG as it was when someone signed with it: written once, keyed by its SHA-256."""

    __tablename__ = "signature_image"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    png: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<SignatureImage {self.sha256[:12]}>"
