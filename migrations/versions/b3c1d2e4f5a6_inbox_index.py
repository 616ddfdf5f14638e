"""inbox index: (organization_id, pending_assignee_id, state, updated_at)

Without statistics SQLite preferred the (organization_id, state) index for the inbox and
read every memo in review; this index answers the inbox and its count by itself.

Revision ID: b3c1d2e4f5a6
Revises: afa2c406592f
Create Date: 2026-11-26 14:20:00

"""
from alembic import op

revision = "b3c1d2e4f5a6"
down_revision = "afa2c406592f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("memo", schema=None) as batch_op:
        batch_op.drop_index("ix_memo_org_pending")
        batch_op.create_index(
            "ix_memo_inbox", ["organization_id", "pending_assignee_id", "state", "updated_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("memo", schema=None) as batch_op:
        batch_op.drop_index("ix_memo_inbox")
        batch_op.create_index("ix_memo_org_pending", ["organization_id", "pending_assignee_id"], unique=False)
