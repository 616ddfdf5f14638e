"""organization.admin_event_head: the hash of the latest admin event

The organisation-level (admin.*) events form a hash chain like each memo's, but
nothing recorded where it should end, so deleting its last events left a valid,
shorter chain.  The organisation now keeps the head; verify-chain compares.
Existing organisations get the head of the chain they have.

Revision ID: c4d5e6f7a8b9
Revises: b3c1d2e4f5a6
Create Date: 2026-11-26 17:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "c4d5e6f7a8b9"
down_revision = "b3c1d2e4f5a6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("admin_event_head", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE organization SET admin_event_head = ("
        " SELECT event.hash FROM event"
        " WHERE event.memo_id IS NULL AND event.organization_id = organization.id"
        " ORDER BY event.id DESC LIMIT 1)"
    )


def downgrade():
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("admin_event_head")
