"""PostgreSQL: extended statistics tying a person to their organisation (memo.author_id,
step.assignee_id)

A person belongs to one organisation, so "organization_id = o AND author_id = p" selects all of
p's memos, not (o's share) x (p's share) of the table. Without being told, PostgreSQL multiplies
the two and expects 157 memos where there are 7,590 (the largest organisation at 1M memos):
the archive's author filter then sorted every memo of the author's (70 ms) instead of reading
the organisation's newest decided memos from ``ix_memo_org_decided`` until twenty are the
author's (6 ms), and the inbox's grouped-step branch read every step a person was ever
assigned. ``dependencies`` and ``ndistinct`` statistics on the two pairs give the real
selectivity; the tables are analysed here so that the plans change at once. SQLite has no
such statistics (and its planner takes the indexes as they are): nothing to do there.

Revision ID: 5ea4c0000001
Revises: d2d2a0000001
Create Date: 2026-12-04 16:20:00

"""
from alembic import op

revision = "5ea4c0000001"
down_revision = "d2d2a0000001"
branch_labels = None
depends_on = None

STATISTICS = {
    "st_memo_org_author": ("memo", "organization_id, author_id"),
    "st_step_org_assignee": ("step", "organization_id, assignee_id"),
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (table, columns) in STATISTICS.items():
        op.execute(f"CREATE STATISTICS IF NOT EXISTS {name} (dependencies, ndistinct) ON {columns} FROM {table}")
    for table in sorted({table for table, _ in STATISTICS.values()}):
        op.execute(f"ANALYZE {table}")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in STATISTICS:
        op.execute(f"DROP STATISTICS IF EXISTS {name}")
