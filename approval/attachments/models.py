"""A file attached to a memo (สิ่งที่ส่งมาด้วย)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from ..models.base import UTCDateTime, utcnow
from ..models.tenancy import many_to_one, one_to_many, tenant_fk, tenant_id, tenant_pk

if TYPE_CHECKING:
    from ..models.memo import Memo
    from ..models.user import User

#: Where an attachment's bytes are: in its row, or in STORAGE_DIR by SHA-256.
STORED_IN = ("database", "files")


class Attachment(db.Model):
    """A file sent with a memo (สิ่งที่ส่งมาด้วย), with its SHA-256."""
    __tablename__ = "attachment"
    __table_args__ = (
        tenant_pk(),
        tenant_fk("memo_id", "memo"),
        sa.Index("ix_attachment_memo", "memo_id", "position"),
        sa.CheckConstraint("stored_in IN ('database', 'files')", name="stored_in_known"),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
    )

    id: Mapped[int] = tenant_id("attachment")
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    memo_id: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(300))
    filename: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(10))  #: pdf, png, jpeg, docx, xlsx, odt, ods, txt, csv
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    stored_in: Mapped[str] = mapped_column(sa.String(10), default="database")
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, nullable=True, deferred=True)
    round_added: Mapped[int] = mapped_column(default=1)  #: the first round submitted with it
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set when removed after the memo was first submitted: the row stays for the history;
    #: removed_round is the first round submitted without it.
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    removed_round: Mapped[int | None] = mapped_column(nullable=True)
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), nullable=True)

    memo: Mapped[Memo] = relationship(
        primaryjoin=many_to_one("Attachment", "Memo", "memo_id"),
        backref=backref("attachments", order_by="(Attachment.position, Attachment.id)", cascade="all, delete-orphan",
                        primaryjoin=one_to_many("Memo", "Attachment", "memo_id")))
    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])

    __mapper_args__ = {"primary_key": [id]}  # noqa: RUF012

    @property
    def removed(self) -> bool:
        """Whether the file was taken off the memo."""
        return self.removed_at is not None

    @property
    def viewable_inline(self) -> bool:
        """PDFs and (re-encoded) images may be shown inline, sandboxed; nothing else."""
        return self.kind in ("pdf", "png", "jpeg")

    def __repr__(self) -> str:
        return f"<Attachment {self.id} memo={self.memo_id} {self.kind}>"
