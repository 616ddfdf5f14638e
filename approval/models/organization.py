"""Organisations (tenants) and their signing chain."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from .user import User

#: Defaults of Organization.settings; a stored value overrides the key.
DEFAULT_SETTINGS: dict[str, Any] = {
    "digits": "thai",  #: "thai" or "arabic" digits in documents
    "archive_mode": "records",  #: "auto" archives at the order; "records" waits for the records officer
    "require_signing_password": True,  #: signers confirm forward/return/order with their password
    "level_thresholds": None,  #: None -> the plan report's documented default
    "plan_report": False,  #: offer the plan report (รายงานแนบ) on the memos of this organisation
}


class StepKind(str, enum.Enum):
    """An opinion step or the final order step."""
    OPINION = "opinion"  #: ความเห็น: forward or return
    ORDER = "order"  #: คำสั่ง: the last step, decides the memo


class Organization(db.Model):
    """A local administration: its particulars, settings, emblem and chain."""
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    district: Mapped[str] = mapped_column(sa.String(100), default="")
    province: Mapped[str] = mapped_column(sa.String(100), default="")
    number_prefix: Mapped[str] = mapped_column(sa.String(50))
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: Deferred: only the PDF and the admin's pages read the bytes; pages ask has_emblem.
    emblem_png: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True, deferred=True)
    _emblem_present: Mapped[bool] = column_property(sa.case((emblem_png.column.is_(None), False), else_=True))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The hash of the organisation's latest admin.* event (the chain of events with no
    #: memo), so that deleting the chain's tail is found as a memo's state finds it.
    admin_event_head: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)

    chain: Mapped[list[ChainStep]] = relationship(
        back_populates="organization", order_by="ChainStep.position", cascade="all, delete-orphan"
    )

    @property
    def has_emblem(self) -> bool:
        """Whether an emblem is uploaded, without reading its bytes unless they are loaded already."""
        if "emblem_png" in self.__dict__:
            return self.emblem_png is not None
        return bool(self._emblem_present)

    def setting(self, key: str) -> Any:
        """A setting with its default."""
        return (self.settings or {}).get(key, DEFAULT_SETTINGS[key])

    @property
    def uses_thai_digits(self) -> bool:
        """Whether documents print Thai digits."""
        return self.setting("digits") != "arabic"

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name!r}>"


class ChainStep(db.Model):
    """One step of the organisation's current chain (copied onto a memo at submission)."""

    __tablename__ = "chain_step"
    __table_args__ = (sa.UniqueConstraint("organization_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[StepKind] = mapped_column(enum_column(StepKind, "step_kind"))
    assignee_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))

    organization: Mapped[Organization] = relationship(back_populates="chain")
    assignee: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ChainStep {self.id} #{self.position} {self.kind.value}>"
