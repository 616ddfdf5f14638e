"""Acting officials: who stands in for whom, in which capacity, from when to when."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, enum_column, utcnow
from .tenancy import tenant_id, tenant_pk

if TYPE_CHECKING:
    from .user import User


class AppointmentKind(str, enum.Enum):
    ACTING = "acting"  #: รักษาราชการแทน: the stand-in alone signs the holder's steps
    DELEGATED = "delegated"  #: ปฏิบัติราชการแทน: the stand-in or the holder


class Appointment(db.Model):
    """One appointment of a stand-in for a holder's position; never edited, only ended.

    In force on a day (Asia/Bangkok) when ``starts_on <= day <= ends_on`` (an open end has
    none) and it has not been ended (``ended_at``).
    """

    __tablename__ = "appointment"
    __table_args__ = (
        tenant_pk(),
        sa.CheckConstraint("holder_id <> stand_in_id", name="not_oneself"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        sa.Index("ix_appointment_org_stand_in", "organization_id", "stand_in_id"),
        sa.Index("ix_appointment_org_holder", "organization_id", "holder_id"),
    )

    id: Mapped[int] = tenant_id("appointment")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    kind: Mapped[AppointmentKind] = mapped_column(enum_column(AppointmentKind, "appointment_kind"))
    holder_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    stand_in_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    starts_on: Mapped[dt.date] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    order_number: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    order_date: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: The last time a stand-in signed under it: the signing's conditional UPDATE of this
    #: row is what orders a signature against the appointment's end (see services.appointments.use).
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    holder: Mapped[User] = relationship(foreign_keys=[holder_id])
    stand_in: Mapped[User] = relationship(foreign_keys=[stand_in_id])

    __mapper_args__ = {"primary_key": [id]}  # noqa: RUF012

    def in_force(self, day: dt.date) -> bool:
        return (self.ended_at is None and self.starts_on <= day
                and (self.ends_on is None or day <= self.ends_on))

    def __repr__(self) -> str:
        return f"<Appointment {self.id} {self.kind.value} {self.stand_in_id}->{self.holder_id}>"
