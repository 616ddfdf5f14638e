"""step: a partial index of the pending steps of parallel groups; memo: the author's memos newest first


The inbox finds the memos where a person (or the holder they stand in for) has a step pending in
a parallel group. Through ``ix_step_org_assignee_memo`` that read every step the person was ever
assigned (2.6 ms for the head of office at 10,000 memos on SQLite, per branch, per page and per
count); the stand-in branch scanned the table. Only pending grouped steps are in this index:
usually none, a few while parallel opinions are open.

``ix_memo_org_author`` gains ``created_at``: "หนังสือของฉัน" lists the author's memos newest first,
and SQLite sorted every memo of the organisation for it (4 ms at 10,000 memos).

The queries name the predicate with literals (``status = 'pending' AND step_group IS NOT NULL``)
so that both SQLite and PostgreSQL (whatever plan it caches) can prove the index applies.

Revision ID: d2d2a0000001
Revises: c1a1f0000009
Create Date: 2026-12-04 16:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "d2d2a0000001"
down_revision = "c1a1f0000009"
branch_labels = None
depends_on = None

WHERE = "status = 'pending' AND step_group IS NOT NULL"


def upgrade():
    with op.batch_alter_table("memo") as batch:
        batch.drop_index("ix_memo_org_author")
        batch.create_index("ix_memo_org_author", ["organization_id", "author_id", "created_at"], unique=False)
    op.create_index("ix_step_pending_group", "step", ["organization_id", "assignee_id", "memo_id"], unique=False,
                    sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))


def downgrade():
    op.drop_index("ix_step_pending_group", table_name="step")
    with op.batch_alter_table("memo") as batch:
        batch.drop_index("ix_memo_org_author")
        batch.create_index("ix_memo_org_author", ["organization_id", "author_id"], unique=False)
