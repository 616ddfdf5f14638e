"""Notifications (the in-app row), their deliveries (the outbox), settings per user, days off.

A :class:`Notification` is what a person reads under the bell. Each :class:`Delivery` is one
message to send on one channel (e-mail or LINE) -- the transactional outbox: written in the
same transaction as the change that causes it, sent later by the job queue, its id the
idempotence key. A delivery moves ``pending -> sending -> sent``; a failed send goes to
``failed`` (retried with backoff) and, after the last attempt, to ``dead`` (an admin sees
it and may retry it).
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models.base import UTCDateTime, enum_column, utcnow
from ..models.tenancy import many_to_one, tenant_fk, tenant_id, tenant_pk
from ..models.user import User


class Kind(str, enum.Enum):
    """What a notification tells."""
    TURN = "turn"  #: a step became yours
    RETURNED = "returned"  #: your memo was sent back for revision
    DECIDED = "decided"  #: a memo you wrote or signed was decided
    TO_ARCHIVE = "to_archive"  #: a decided memo waits to be filed (records officers)
    REMINDER = "reminder"  #: a step of yours (or of the person below you) waits too long


class Channel(str, enum.Enum):
    """How a notification travels."""
    EMAIL = "email"
    LINE = "line"


class DeliveryState(str, enum.Enum):
    """Where a delivery is: pending, sending, sent, failed, dead."""
    PENDING = "pending"  #: written with the change; not tried yet
    SENDING = "sending"  #: claimed by a worker (a lease: reclaimed when it runs out)
    SENT = "sent"  #: the server accepted it; never sent again
    FAILED = "failed"  #: the last attempt failed; retried after a backoff
    DEAD = "dead"  #: out of attempts; waits for an admin's retry


class Notification(db.Model):
    """One message to one person about one memo."""
    __tablename__ = "notification"
    __table_args__ = (
        tenant_pk(),
        sa.UniqueConstraint("dedupe_key", "organization_id"),
        tenant_fk("memo_id", "memo"),
        # The bell and the list: a person's notifications, newest first, unread counted fast.
        sa.Index("ix_notification_user", "organization_id", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = tenant_id("notification")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    memo_id: Mapped[int | None] = mapped_column(nullable=True, index=True)
    kind: Mapped[Kind] = mapped_column(enum_column(Kind, "notification_kind"))
    text: Mapped[str] = mapped_column(sa.String(1000))
    #: What makes this notification one of a kind: the event and the person for a change,
    #: the step and the day for a reminder. Unique (in the organisation), so that nothing is told twice.
    dedupe_key: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship()

    __mapper_args__ = {"primary_key": [id]}  # noqa: RUF012

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind.value} user={self.user_id}>"


class Delivery(db.Model):
    """One message on one channel: the outbox row; its id is the idempotence key."""

    __tablename__ = "notification_delivery"
    __table_args__ = (
        tenant_pk(),
        sa.UniqueConstraint("notification_id", "channel", "organization_id", name="uq_notification_delivery_once"),
        sa.UniqueConstraint("user_id", "channel", "digest_on", "organization_id", name="uq_notification_delivery_digest"),
        tenant_fk("notification_id", "notification"),
        sa.CheckConstraint("(notification_id IS NULL) <> (digest_on IS NULL)", name="one_source"),
        sa.Index("ix_notification_delivery_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = tenant_id("notification_delivery")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    #: The notification it tells, or None for a daily digest (then ``digest_on`` is the day).
    notification_id: Mapped[int | None] = mapped_column(nullable=True)
    digest_on: Mapped[dt.date | None] = mapped_column(sa.Date, nullable=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "notification_channel"))
    state: Mapped[DeliveryState] = mapped_column(
        enum_column(DeliveryState, "delivery_state"), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    notification: Mapped[Notification | None] = relationship(
        primaryjoin=many_to_one("Delivery", "Notification", "notification_id"))
    user: Mapped[User] = relationship()

    __mapper_args__ = {"primary_key": [id]}  # noqa: RUF012

    def __repr__(self) -> str:
        return f"<Delivery {self.id} {self.channel.value} {self.state.value}>"


class NotificationSettings(db.Model):
    """How one person wants to be told; no row means the defaults (in-app only)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    email_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    line_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    line_user_id: Mapped[str] = mapped_column(sa.String(64), default="")
    #: One message a day (the day's notifications) instead of one per notification.
    digest: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def channels(self) -> list[Channel]:
        """The channels that can actually reach this person."""
        found = []
        if self.email_enabled and self.email:
            found.append(Channel.EMAIL)
        if self.line_enabled and self.line_user_id:
            found.append(Channel.LINE)
        return found


class DayOff(db.Model):
    """A day the organisation does not work, beyond weekends and Thai public holidays."""

    __tablename__ = "day_off"
    __table_args__ = (sa.UniqueConstraint("organization_id", "day", name="uq_day_off_org_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    day: Mapped[dt.date] = mapped_column(sa.Date)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<DayOff {self.day} {self.name!r}>"
