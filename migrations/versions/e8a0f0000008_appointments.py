"""appointment (acting officials), every step's real signer, the chain's acting line goes

* ``appointment``: a stand-in for a holder's position, ``acting`` (รักษาราชการแทน) or
  ``delegated`` (ปฏิบัติราชการแทน), from ``starts_on`` to ``ends_on`` (open when null),
  with the order's number and date; never edited, ended by ``ended_at``.
* ``step`` gains who signed (``signed_by_id``), in which capacity (``capacity``), on whose
  behalf (``on_behalf_of_id``, with that person's position as it was then) and under which
  appointment. Steps signed before this revision were signed by their assignee: backfilled.
* ``chain_step.acting`` (the editor's free-text line) is dropped in favour of appointments.
  The line had been copied onto each memo's steps at submission; those copies
  (``step.acting``) stay and keep printing as they did, so no memo changes. The organisation's
  chain loses the line: a lasting stand-in is now an appointment, made by the administrator.
  Downgrade restores the column empty (the text is not kept anywhere else).

Revision ID: e8a0f0000008
Revises: e7a0f0000007
Create Date: 2026-12-05 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "e8a0f0000008"
down_revision = "e7a0f0000007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("acting", "delegated", name="appointment_kind", native_enum=False,
                                  create_constraint=True, length=20), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("stand_in_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("order_number", sa.String(length=100), nullable=True),
        sa.Column("order_date", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("holder_id <> stand_in_id", name=op.f("ck_appointment_not_oneself")),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_appointment_ends_after_start")),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name=op.f("fk_appointment_organization_id_organization")),
        sa.ForeignKeyConstraint(["holder_id"], ["user.id"], name=op.f("fk_appointment_holder_id_user")),
        sa.ForeignKeyConstraint(["stand_in_id"], ["user.id"], name=op.f("fk_appointment_stand_in_id_user")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_appointment_created_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index("ix_appointment_org_stand_in", ["organization_id", "stand_in_id"], unique=False)
        batch_op.create_index("ix_appointment_org_holder", ["organization_id", "holder_id"], unique=False)
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("capacity", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("on_behalf_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("on_behalf_of_position", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("appointment_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_step_signed_by_id_user"), "user", ["signed_by_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_step_on_behalf_of_id_user"), "user", ["on_behalf_of_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_step_appointment_id_appointment"), "appointment",
                                    ["appointment_id"], ["id"])
    op.execute("UPDATE step SET signed_by_id = assignee_id WHERE signed_at IS NOT NULL")
    with op.batch_alter_table("chain_step", schema=None) as batch_op:
        batch_op.drop_column("acting")


def downgrade():
    with op.batch_alter_table("chain_step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acting", sa.String(length=200), nullable=True))
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_step_appointment_id_appointment"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_step_on_behalf_of_id_user"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_step_signed_by_id_user"), type_="foreignkey")
        batch_op.drop_column("appointment_id")
        batch_op.drop_column("on_behalf_of_position")
        batch_op.drop_column("on_behalf_of_id")
        batch_op.drop_column("capacity")
        batch_op.drop_column("signed_by_id")
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_org_holder")
        batch_op.drop_index("ix_appointment_org_stand_in")
    op.drop_table("appointment")
