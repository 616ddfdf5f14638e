"""The security log's table: one row per refused attempt, and the alerts drawn from them."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class SecurityEvent(db.Model):
    """A refused attempt (or an ``alert`` about many of them).

    No foreign keys on purpose: the log is written in its own transaction, next to a request
    that failed, and must hold whatever the attempt named (an unknown user, a vanished
    organisation). ``organization_id`` NULL rows (an unknown username) are shown to nobody
    on the pages; they stay here and in the ``approval.security`` log.
    """

    __tablename__ = "security_event"
    __table_args__ = (
        sa.Index("ix_security_event_org_id", "organization_id", "id"),
        sa.Index("ix_security_event_username_at", "username", "at"),
        sa.Index("ix_security_event_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(40))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    user_id: Mapped[int | None] = mapped_column(nullable=True)
    organization_id: Mapped[int | None] = mapped_column(nullable=True)
    username: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    address: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    route: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    method: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    #: Alerts only: when an administrator of the organisation acknowledged it, and who.
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acknowledged_by: Mapped[int | None] = mapped_column(nullable=True)

    def __repr__(self) -> str:
        return f"<SecurityEvent {self.id} {self.kind}>"
