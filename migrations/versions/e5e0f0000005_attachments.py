"""attachment: the files that go with a memo; memo_document.attachments: their seal

Revision ID: e5e0f0000005
Revises: e6f0f0000006
Create Date: 2026-12-01 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "e5e0f0000005"
down_revision = "e6f0f0000006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("memo_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_in", sa.String(length=10), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("round_added", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_round", sa.Integer(), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("stored_in IN ('database', 'files')", name=op.f("ck_attachment_stored_in_known")),
        sa.CheckConstraint("size >= 0", name=op.f("ck_attachment_size_not_negative")),
        sa.ForeignKeyConstraint(["memo_id"], ["memo.id"], name=op.f("fk_attachment_memo_id_memo")),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name=op.f("fk_attachment_organization_id_organization")),
        sa.ForeignKeyConstraint(["removed_by_id"], ["user.id"], name=op.f("fk_attachment_removed_by_id_user")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"], name=op.f("fk_attachment_uploaded_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index("ix_attachment_memo", ["memo_id", "position"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_organization_id"), ["organization_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_sha256"), ["sha256"], unique=False)
    with op.batch_alter_table("memo_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachments", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("memo_document", schema=None) as batch_op:
        batch_op.drop_column("attachments")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_sha256"))
        batch_op.drop_index(batch_op.f("ix_attachment_organization_id"))
        batch_op.drop_index("ix_attachment_memo")
    op.drop_table("attachment")
