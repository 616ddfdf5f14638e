"""notifications: the in-app notification, its deliveries (outbox), settings per user, days off

Revision ID: e6f0f0000006
Revises: e3c0f0000003
Create Date: 2026-11-27 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "e6f0f0000006"
down_revision = "e3c0f0000003"
branch_labels = None
depends_on = None

KINDS = ("turn", "returned", "decided", "to_archive", "reminder")
CHANNELS = ("email", "line")
STATES = ("pending", "sending", "sent", "failed", "dead")


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade():
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("memo_id", sa.Integer(), nullable=True),
        sa.Column("kind", _enum(KINDS, "notification_kind"), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["memo_id"], ["memo.id"], name="fk_notification_memo_id_memo"),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name="fk_notification_organization_id_organization"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_notification_user_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_notification"),
        sa.UniqueConstraint("dedupe_key", name="uq_notification_dedupe_key"),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index("ix_notification_user", ["organization_id", "user_id", "read_at", "id"])
        batch_op.create_index("ix_notification_memo_id", ["memo_id"])

    op.create_table(
        "notification_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("digest_on", sa.Date(), nullable=True),
        sa.Column("channel", _enum(CHANNELS, "notification_channel"), nullable=False),
        sa.Column("state", _enum(STATES, "delivery_state"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(notification_id IS NULL) <> (digest_on IS NULL)",
                           name="ck_notification_delivery_one_source"),
        sa.ForeignKeyConstraint(["notification_id"], ["notification.id"],
                                name="fk_notification_delivery_notification_id_notification"),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name="fk_notification_delivery_organization_id_organization"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_notification_delivery_user_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_notification_delivery"),
        sa.UniqueConstraint("notification_id", "channel", name="uq_notification_delivery_once"),
        sa.UniqueConstraint("user_id", "channel", "digest_on", name="uq_notification_delivery_digest"),
    )
    with op.batch_alter_table("notification_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_notification_delivery_due", ["state", "next_attempt_at"])
        batch_op.create_index("ix_notification_delivery_organization_id", ["organization_id"])

    op.create_table(
        "notification_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_enabled", sa.Boolean(), nullable=False),
        sa.Column("line_enabled", sa.Boolean(), nullable=False),
        sa.Column("line_user_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name="fk_notification_settings_organization_id_organization"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name="fk_notification_settings_user_id_user"),
        sa.PrimaryKeyConstraint("user_id", name="pk_notification_settings"),
    )
    with op.batch_alter_table("notification_settings", schema=None) as batch_op:
        batch_op.create_index("ix_notification_settings_organization_id", ["organization_id"])

    op.create_table(
        "day_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name="fk_day_off_organization_id_organization"),
        sa.PrimaryKeyConstraint("id", name="pk_day_off"),
        sa.UniqueConstraint("organization_id", "day", name="uq_day_off_org_day"),
    )


def downgrade():
    op.drop_table("day_off")
    with op.batch_alter_table("notification_settings", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_settings_organization_id")
    op.drop_table("notification_settings")
    with op.batch_alter_table("notification_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_delivery_organization_id")
        batch_op.drop_index("ix_notification_delivery_due")
    op.drop_table("notification_delivery")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_memo_id")
        batch_op.drop_index("ix_notification_user")
    op.drop_table("notification")
