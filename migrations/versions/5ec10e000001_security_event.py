"""security_event: the security log's table (refused attempts and their alerts)

Failed logins, lockouts, failed signing confirmations, out-of-turn and forbidden moves,
probes for another organisation's ids, CSRF failures and bad API tokens: one row each,
written in its own transaction (the request's is rolled back). "alert" rows mark repeated
refusals against one account or from one address; an administrator acknowledges them.

Revision ID: 5ec10e000001
Revises: e1a0f0000001
Create Date: 2026-11-27 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "5ec10e000001"
down_revision = "e1a0f0000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "security_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("route", sa.String(length=200), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_event")),
    )
    with op.batch_alter_table("security_event", schema=None) as batch_op:
        batch_op.create_index("ix_security_event_org_id", ["organization_id", "id"], unique=False)
        batch_op.create_index("ix_security_event_username_at", ["username", "at"], unique=False)
        batch_op.create_index("ix_security_event_address_at", ["address", "at"], unique=False)


def downgrade():
    with op.batch_alter_table("security_event", schema=None) as batch_op:
        batch_op.drop_index("ix_security_event_address_at")
        batch_op.drop_index("ix_security_event_username_at")
        batch_op.drop_index("ix_security_event_org_id")
    op.drop_table("security_event")
