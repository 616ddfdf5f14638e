"""audit_checkpoint, signature_image, and the signing blocks as they were when signed

Two findings of the independent attack:

* The event hash chain could be rewritten by anyone with database access (delete the
  tail, or edit and recompute every hash). ``audit_checkpoint`` holds signed checkpoints
  of each organisation's chain heads; the trusted copy is exported outside the database
  (see approval/services/anchors.py).
* The frozen PDF printed each signer's name, position and signature as they were at the
  order. Steps now keep the signer's name, position and signature SHA-256 when signed,
  the memo keeps the author's at submission, and ``signature_image`` keeps each signature
  PNG once, keyed by its SHA-256.

The hash columns are not foreign keys: a foreign key would make SQLite rebuild ``memo``
and ``step`` (which other tables reference); the printing reads the image by its hash
and checks the bytes against it.

Backfill: steps already signed and memos already submitted get the signer's (author's)
*current* name, position and signature -- the values as they were when signed were never
recorded, so the current ones are the best there is.

Revision ID: e3c0f0000003
Revises: c4d5e6f7a8b9
Create Date: 2026-11-27 10:00:00

"""
import hashlib

import sqlalchemy as sa
from alembic import op

revision = "e3c0f0000003"
down_revision = "c4d5e6f7a8b9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signature_image",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_signature_image")),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=True),
        sa.Column("head_hash", sa.String(length=64), nullable=True),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("heads", sa.JSON(), nullable=False),
        sa.Column("prev_signature", sa.Text(), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name=op.f("fk_audit_checkpoint_organization_id_organization")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
        sa.UniqueConstraint("organization_id", "seq", name="uq_audit_checkpoint_seq"),
    )
    with op.batch_alter_table("audit_checkpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_checkpoint_organization_id"), ["organization_id"], unique=False)
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signer_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("signer_position", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("signature_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("memo", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("author_position", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("author_signature_sha256", sa.String(length=64), nullable=True))
    _backfill()


def _backfill():
    """Signed steps and submitted memos get the current name, position and signature."""
    conn = op.get_bind()
    user = sa.table("user", sa.column("id", sa.Integer), sa.column("full_name", sa.String),
                    sa.column("position", sa.String), sa.column("signature_png", sa.LargeBinary))
    image = sa.table("signature_image", sa.column("sha256", sa.String), sa.column("png", sa.LargeBinary),
                     sa.column("created_at", sa.DateTime(timezone=True)))
    step = sa.table("step", sa.column("assignee_id", sa.Integer), sa.column("signed_at", sa.DateTime),
                    sa.column("signer_name", sa.String), sa.column("signer_position", sa.String),
                    sa.column("signature_sha256", sa.String))
    memo = sa.table("memo", sa.column("author_id", sa.Integer), sa.column("round", sa.Integer),
                    sa.column("author_name", sa.String), sa.column("author_position", sa.String),
                    sa.column("author_signature_sha256", sa.String))
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    known: set[str] = set()
    for user_id, full_name, position, png in conn.execute(
        sa.select(user.c.id, user.c.full_name, user.c.position, user.c.signature_png)
    ).all():
        sha = hashlib.sha256(png).hexdigest() if png else None
        if sha and sha not in known:
            known.add(sha)
            conn.execute(image.insert().values(sha256=sha, png=png, created_at=now))
        conn.execute(step.update().where(step.c.assignee_id == user_id, step.c.signed_at.is_not(None))
                     .values(signer_name=full_name, signer_position=position, signature_sha256=sha))
        conn.execute(memo.update().where(memo.c.author_id == user_id, memo.c.round > 0)
                     .values(author_name=full_name, author_position=position, author_signature_sha256=sha))


def downgrade():
    with op.batch_alter_table("memo", schema=None) as batch_op:
        batch_op.drop_column("author_signature_sha256")
        batch_op.drop_column("author_position")
        batch_op.drop_column("author_name")
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.drop_column("signature_sha256")
        batch_op.drop_column("signer_position")
        batch_op.drop_column("signer_name")
    with op.batch_alter_table("audit_checkpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_checkpoint_organization_id"))
    op.drop_table("audit_checkpoint")
    op.drop_table("signature_image")
