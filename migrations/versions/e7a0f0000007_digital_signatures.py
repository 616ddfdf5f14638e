"""digital signatures: organisation CAs, people's keys, step signatures, document seals

Each organisation gets its own certificate authority (created on first use for the
organisations that exist already: its key is encrypted under the configuration, which a
migration does not see); people get their keys at their next sign-in or signing act.

Revision ID: e7a0f0000007
Revises: 5ec10e000001
Create Date: 2026-12-01 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "e7a0f0000007"
down_revision = "5ec10e000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signing_authority",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("certificate", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("key_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("key_source", sa.String(length=20), nullable=False),
        sa.Column("next_serial", sa.Integer(), nullable=False),
        sa.Column("crl", sa.LargeBinary(), nullable=True),
        sa.Column("crl_number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id"),
        sa.UniqueConstraint("fingerprint"),
    )
    op.create_table(
        "signing_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.BigInteger(), nullable=False),
        sa.Column("certificate", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("kdf", sa.String(length=100), nullable=False),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fingerprint"),
    )
    with op.batch_alter_table("signing_key", schema=None) as batch_op:
        batch_op.create_index("ix_signing_key_organization_id", ["organization_id"], unique=False)
        batch_op.create_index("ix_signing_key_user", ["user_id", "revoked_at"], unique=False)
    op.create_table(
        "step_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("memo_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("cms", sa.LargeBinary(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["memo_id"], ["memo.id"]),
        sa.ForeignKeyConstraint(["step_id"], ["step.id"]),
        sa.ForeignKeyConstraint(["key_id"], ["signing_key.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("step_id"),
    )
    with op.batch_alter_table("step_signature", schema=None) as batch_op:
        batch_op.create_index("ix_step_signature_organization_id", ["organization_id"], unique=False)
        batch_op.create_index("ix_step_signature_memo_id", ["memo_id"], unique=False)
        batch_op.create_index("ix_step_signature_key_id", ["key_id"], unique=False)
    op.create_table(
        "document_seal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("memo_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("rendered_sha256", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("pdf_signed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"]),
        sa.ForeignKeyConstraint(["memo_id"], ["memo.id"]),
        sa.ForeignKeyConstraint(["key_id"], ["signing_key.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("memo_id"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("document_seal", schema=None) as batch_op:
        batch_op.create_index("ix_document_seal_organization_id", ["organization_id"], unique=False)


def downgrade():
    with op.batch_alter_table("document_seal", schema=None) as batch_op:
        batch_op.drop_index("ix_document_seal_organization_id")
    op.drop_table("document_seal")
    with op.batch_alter_table("step_signature", schema=None) as batch_op:
        batch_op.drop_index("ix_step_signature_key_id")
        batch_op.drop_index("ix_step_signature_memo_id")
        batch_op.drop_index("ix_step_signature_organization_id")
    op.drop_table("step_signature")
    with op.batch_alter_table("signing_key", schema=None) as batch_op:
        batch_op.drop_index("ix_signing_key_user")
        batch_op.drop_index("ix_signing_key_organization_id")
    op.drop_table("signing_key")
    op.drop_table("signing_authority")
