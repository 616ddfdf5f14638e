"""writing helpers: memo templates per category, each person's own division (ส่วนราชการ)

* ``memo_template``: an organisation's ready memo text per category (ขออนุมัติ, ขอเชิญประชุม,
  รายงานผล ...): subject, addressee, sections (a title may be empty) and closing.
* ``user.division``: the person's own division, which their new memos start with as
  ส่วนราชการ; empty for everyone until they (or the administrator) set it.

The content snapshot of each submission round needs no column: it is kept in the submit
event's data (``data.content``), chained by the event's hash like the rest.

Revision ID: b2b2a0000001
Revises: a6a6c1705009
Create Date: 2026-12-04 13:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "b2b2a0000001"
down_revision = "a6a6c1705009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "memo_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("addressee", sa.String(length=300), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("closing", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name=op.f("fk_memo_template_organization_id_organization")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memo_template")),
        sa.UniqueConstraint("organization_id", "name", name=op.f("uq_memo_template_name")),
    )
    with op.batch_alter_table("memo_template", schema=None) as batch_op:
        batch_op.create_index("ix_memo_template_org_category", ["organization_id", "category"], unique=False)
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("division", sa.String(length=300), nullable=False, server_default=""))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+): a batch rebuild of "user" would drop a table that
    # every other table refers to, which SQLite refuses while foreign keys are enforced.
    op.drop_column("user", "division")
    with op.batch_alter_table("memo_template", schema=None) as batch_op:
        batch_op.drop_index("ix_memo_template_org_category")
    op.drop_table("memo_template")
