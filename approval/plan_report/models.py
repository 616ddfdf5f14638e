"""The anti-corruption plan report attached to a memo (e-PlanNACC format)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models.base import UTCDateTime, utcnow
from ..models.tenancy import many_to_one, one_to_many, tenant_fk, tenant_id, tenant_pk

if TYPE_CHECKING:
    from ..models.memo import Memo

MONEY = sa.Numeric(14, 2)


class PlanReport(db.Model):
    """An anti-corruption plan progress report attached to a memo."""
    __tablename__ = "plan_report"
    __table_args__ = (
        tenant_pk(),
        sa.UniqueConstraint("memo_id", "organization_id"),
        tenant_fk("memo_id", "memo"),
        sa.CheckConstraint("round IN (6, 12)", name="round_6_or_12"),
    )

    id: Mapped[int] = tenant_id("plan_report")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    memo_id: Mapped[int] = mapped_column()
    fiscal_year: Mapped[int] = mapped_column()
    round: Mapped[int] = mapped_column()
    minimum_projects: Mapped[int] = mapped_column()
    problems: Mapped[list] = mapped_column(sa.JSON, default=list)
    suggestions: Mapped[list] = mapped_column(sa.JSON, default=list)
    reporter_name: Mapped[str] = mapped_column(sa.String(200), default="")
    reporter_position: Mapped[str] = mapped_column(sa.String(200), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    memo: Mapped[Memo] = relationship(back_populates="plan_report", primaryjoin=many_to_one("PlanReport", "Memo", "memo_id"))
    projects: Mapped[list[PlanProject]] = relationship(
        back_populates="report", order_by="PlanProject.position", cascade="all, delete-orphan",
        primaryjoin=one_to_many("PlanReport", "PlanProject", "report_id"),
    )

    __mapper_args__ = {"primary_key": [id]}  # noqa: RUF012


class PlanProject(db.Model):
    """One project of a plan report."""
    __tablename__ = "plan_project"
    __table_args__ = (
        tenant_pk(),
        tenant_fk("report_id", "plan_report"),
        sa.CheckConstraint("dimension BETWEEN 1 AND 4", name="dimension_1_4"),
        sa.CheckConstraint(
            "status IN ('waiting', 'in_progress', 'completed', 'cannot')", name="status_known"
        ),
    )

    id: Mapped[int] = tenant_id("plan_project")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    report_id: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column()
    no: Mapped[int] = mapped_column()
    dimension: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(500))
    budget: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    ordinance_budget: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    disbursed: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(sa.String(20))
    in_ordinance: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    note: Mapped[str] = mapped_column(sa.String(500), default="")

    report: Mapped[PlanReport] = relationship(back_populates="projects", primaryjoin=many_to_one("PlanProject", "PlanReport", "report_id"))

    __mapper_args__ = {"primary_key": [id]}  # noqa: RUF012
