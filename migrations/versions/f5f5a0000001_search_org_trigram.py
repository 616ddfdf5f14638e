"""search within one organisation from one index; the archive's order from an index

* PostgreSQL: the trigram GIN index of ``memo_search.text`` becomes a two-column GIN index
  ``(organization_id, text gin_trgm_ops)`` (``btree_gin`` gives the integer column its GIN
  operator class). A search always names the organisation, so the index answers
  "this organisation's documents containing these trigrams" by intersecting the posting
  lists, instead of intersecting a bitmap of every organisation's matches with the
  organisation's btree.
* ``memo_search (organization_id, memo_id)`` replaces ``(organization_id)``: the
  organisation's newest documents, in order, for a common word's page.
* ``memo (organization_id, decided_at, id, state)`` replaces ``(organization_id, decided_at,
  state)``: the archive lists decided/archived memos newest first with ``id`` as the tie-break,
  straight from the index.
* ``step (organization_id, assignee_id, memo_id)``: the archive's person filter (the memos
  someone was on the chain of) read from the index alone (it fetched every step row: about
  1 s at 1M memos).

Revision ID: f5f5a0000001
Revises: b2b2a0000001
Create Date: 2026-12-04 13:00:00

"""
from alembic import op

revision = "f5f5a0000001"
down_revision = "b2b2a0000001"
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        op.execute("DROP INDEX IF EXISTS ix_memo_search_text_trgm")
        op.execute("CREATE INDEX ix_memo_search_org_text_trgm ON memo_search "
                   "USING gin (organization_id, text gin_trgm_ops)")
    with op.batch_alter_table("memo_search", schema=None) as batch_op:
        batch_op.drop_index("ix_memo_search_org")
        batch_op.create_index("ix_memo_search_org_memo", ["organization_id", "memo_id"], unique=False)
    with op.batch_alter_table("memo", schema=None) as batch_op:
        batch_op.drop_index("ix_memo_org_decided")
        batch_op.create_index("ix_memo_org_decided", ["organization_id", "decided_at", "id", "state"], unique=False)
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.create_index("ix_step_org_assignee_memo", ["organization_id", "assignee_id", "memo_id"],
                              unique=False)


def downgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.drop_index("ix_step_org_assignee_memo")
    with op.batch_alter_table("memo", schema=None) as batch_op:
        batch_op.drop_index("ix_memo_org_decided")
        batch_op.create_index("ix_memo_org_decided", ["organization_id", "decided_at", "state"], unique=False)
    with op.batch_alter_table("memo_search", schema=None) as batch_op:
        batch_op.drop_index("ix_memo_search_org_memo")
        batch_op.create_index("ix_memo_search_org", ["organization_id"], unique=False)
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_memo_search_org_text_trgm")
        op.execute("CREATE INDEX ix_memo_search_text_trgm ON memo_search USING gin (text gin_trgm_ops)")
        # btree_gin stays, as pg_trgm does: other schemas of the database may use it.
