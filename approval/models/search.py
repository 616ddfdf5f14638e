"""The search document of each memo, and the indexes the archive queries lean on."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .memo import Memo
from .tenancy import tenant_fk, tenant_pk


class MemoSearch(db.Model):
    """One row per memo: number, subject, sections, comments and project names as one NFC text.

    SQLite indexes it with the FTS5 virtual table ``memo_fts`` (trigram, external content,
    kept in step by triggers); PostgreSQL with a pg_trgm GIN index. Both live in the migration.
    """

    __tablename__ = "memo_search"
    #: The organisation's documents newest first (a common word's page); the PostgreSQL trigram
    #: index (organization_id, text gin_trgm_ops) lives in the migrations (f5f5a0000001).
    __table_args__ = (
        tenant_pk("memo_id"),
        tenant_fk("memo_id", "memo"),
        sa.Index("ix_memo_search_org_memo", "organization_id", "memo_id"),
    )

    memo_id: Mapped[int] = mapped_column(autoincrement=False)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    text: Mapped[str] = mapped_column(sa.Text, default="")

    __mapper_args__ = {"primary_key": [memo_id]}  # noqa: RUF012 - the ORM knows it by memo_id

    def __repr__(self) -> str:
        return f"<MemoSearch {self.memo_id}>"


#: The archive lists decided/archived memos newest first; the register walks numbers in order.
#: The archive's filters (date, decision, author) are in it too: any of them is checked on the
#: index alone while it is read newest first (no memo row fetched to be rejected).
sa.Index("ix_memo_org_decided", Memo.organization_id, Memo.decided_at, Memo.id, Memo.state, Memo.date,
         Memo.decision, Memo.author_id)
#: The archive's date filters (calendar / fiscal year) with state and decision, counted from the index.
sa.Index("ix_memo_org_date", Memo.organization_id, Memo.date, Memo.state, Memo.decision, Memo.decided_at)
sa.Index("ix_memo_org_number", Memo.organization_id, Memo.number_year, Memo.number_seq)
