"""A memo template (แม่แบบบันทึกข้อความ): a category's ready text, per organisation."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models.base import UTCDateTime, utcnow


class MemoTemplate(db.Model):
    """Pre-filled subject, addressee, sections and closing that a writer may start a memo from."""

    __tablename__ = "memo_template"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "name", name="uq_memo_template_name"),
        sa.Index("ix_memo_template_org_category", "organization_id", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    category: Mapped[str] = mapped_column(sa.String(100))  #: ขออนุมัติ, ขอเชิญประชุม, รายงานผล ...
    name: Mapped[str] = mapped_column(sa.String(200))
    subject: Mapped[str] = mapped_column(sa.String(500), default="")
    #: เรียน; empty: the addressee of the chain's order step (services.memos.default_addressee).
    addressee: Mapped[str] = mapped_column(sa.String(300), default="")
    #: [{"title", "body"}], a title may be empty (an untitled paragraph).
    sections: Mapped[list] = mapped_column(sa.JSON, default=list)
    closing: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<MemoTemplate {self.id} {self.name!r}>"
