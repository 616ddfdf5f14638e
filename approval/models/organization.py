"""Organisations (tenants) and their signing chains."""

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

    chains: Mapped[list[Chain]] = relationship(
        back_populates="organization", order_by="Chain.id", cascade="all, delete-orphan"
    )

    @property
    def has_emblem(self) -> bool:
        """Whether an emblem is uploaded, without reading its bytes unless they are loaded already."""
        if "emblem_png" in self.__dict__:
            return self.emblem_png is not None
        return bool(self._emblem_present)

    @property
    def default_chain(self) -> Chain | None:
        """The chain a memo takes when no other chain applies (every organisation has one)."""
        return next((c for c in self.chains if c.is_default), None)

    @property
    def chain(self) -> list[ChainStep]:
        """The steps of the default chain (the one chain organisations had before chains per kind)."""
        default = self.default_chain
        return list(default.steps) if default is not None else []

    def setting(self, key: str) -> Any:
        """A setting with its default."""
        return (self.settings or {}).get(key, DEFAULT_SETTINGS[key])

    @property
    def uses_thai_digits(self) -> bool:
        """Whether documents print Thai digits."""
        return self.setting("digits") != "arabic"

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name!r}>"


class Chain(db.Model):
    """A named signing chain of an organisation: which memos take it, and its steps.

    Editing a chain makes a new version (``version`` grows, :class:`ChainVersion` keeps each
    one); a memo copies the steps at submission and records the chain and version it took.
    ``conditions``: ``{"amount_at_least", "amount_below"}`` (money strings or null) and
    ``{"division"}`` (text or null); ``category`` empty means any category. The default chain
    is taken when no other chain applies.
    """

    __tablename__ = "chain"
    __table_args__ = (sa.UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(100), default="")
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    conditions: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organization: Mapped[Organization] = relationship(back_populates="chains")
    steps: Mapped[list[ChainStep]] = relationship(
        back_populates="chain", order_by="ChainStep.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Chain {self.id} {self.name!r} v{self.version}>"


class ChainVersion(db.Model):
    """One version of a chain as it was saved: name, category, conditions and steps (JSON)."""

    __tablename__ = "chain_version"
    __table_args__ = (sa.UniqueConstraint("chain_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    chain_id: Mapped[int] = mapped_column(sa.ForeignKey("chain.id"))
    version: Mapped[int] = mapped_column()
    definition: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), nullable=True)


class ChainStep(db.Model):
    """One step of a chain's current version (copied onto a memo at submission).

    Steps sharing a ``group`` (adjacent, opinions) are pending at the same time.
    """

    __tablename__ = "chain_step"
    __table_args__ = (sa.UniqueConstraint("chain_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    chain_id: Mapped[int] = mapped_column(sa.ForeignKey("chain.id"), index=True)
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[StepKind] = mapped_column(enum_column(StepKind, "step_kind"))
    assignee_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    group: Mapped[int | None] = mapped_column("step_group", nullable=True)

    chain: Mapped[Chain] = relationship(back_populates="steps")
    assignee: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ChainStep {self.id} #{self.position} {self.kind.value}>"
