"""chains per kind of memo: several named, versioned chains per organisation; parallel steps

* ``chain``: an organisation's named chains (category, conditions, active, the default one,
  the current version number). Every organisation gets a default chain, "สายการลงนามหลัก",
  holding the steps it had (so existing memos, the demo and the reference path go on as
  they did); ``chain_version`` keeps each saved version of a chain (its first: the steps as
  they were at this upgrade).
* ``chain_step`` belongs to a chain (``chain_id``) and may share a ``step_group`` with its
  neighbours (opinions given side by side); positions are unique per chain.
* ``memo`` gains ``category``, ``amount`` (two places) and the chain it took
  (``chain_id``, ``chain_version``); ``step`` gains ``step_group``, and a step may be
  ``skipped`` (pending beside a step that returned the memo: closed as not needed).

Downgrade keeps the default chain's steps as the organisation's one chain and drops the
other chains; skipped steps go back to waiting.

Revision ID: c1a1f0000009
Revises: e4e4a0000001
Create Date: 2026-12-04 13:00:00

"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "c1a1f0000009"
down_revision = "e4e4a0000001"
branch_labels = None
depends_on = None

DEFAULT_NAME = "สายการลงนามหลัก"
STATUS_OLD = ("waiting", "pending", "done", "returned")
STATUS_NEW = (*STATUS_OLD, "skipped")


def _status_check(values) -> str:
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    op.create_table(
        "chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name=op.f("fk_chain_organization_id_organization")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain")),
        sa.UniqueConstraint("organization_id", "name", name=op.f("uq_chain_organization_id_name")),
    )
    with op.batch_alter_table("chain", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_organization_id"), ["organization_id"], unique=False)
    op.create_table(
        "chain_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("chain_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"],
                                name=op.f("fk_chain_version_organization_id_organization")),
        sa.ForeignKeyConstraint(["chain_id"], ["chain.id"], name=op.f("fk_chain_version_chain_id_chain")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"], name=op.f("fk_chain_version_created_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_version")),
        sa.UniqueConstraint("chain_id", "version", name=op.f("uq_chain_version_chain_id_version")),
    )
    with op.batch_alter_table("chain_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_version_organization_id"), ["organization_id"], unique=False)

    # Every organisation's one chain becomes its default chain, version 1.
    bind = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    chain = sa.table("chain", sa.column("id", sa.Integer), sa.column("organization_id", sa.Integer),
                     sa.column("name", sa.String), sa.column("category", sa.String),
                     sa.column("active", sa.Boolean), sa.column("is_default", sa.Boolean),
                     sa.column("conditions", sa.JSON), sa.column("version", sa.Integer),
                     sa.column("created_at", sa.DateTime(timezone=True)),
                     sa.column("updated_at", sa.DateTime(timezone=True)))
    version = sa.table("chain_version", sa.column("organization_id", sa.Integer), sa.column("chain_id", sa.Integer),
                       sa.column("version", sa.Integer), sa.column("definition", sa.JSON),
                       sa.column("created_at", sa.DateTime(timezone=True)))
    org_ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM organization ORDER BY id"))]
    for org_id in org_ids:
        bind.execute(chain.insert().values(organization_id=org_id, name=DEFAULT_NAME, category="", active=True,
                                           is_default=True, conditions={}, version=1, created_at=now,
                                           updated_at=now))

    with op.batch_alter_table("chain_step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("step_group", sa.Integer(), nullable=True))
    op.execute("UPDATE chain_step SET chain_id = (SELECT chain.id FROM chain WHERE chain.organization_id = "
               "chain_step.organization_id AND chain.is_default)")
    with op.batch_alter_table("chain_step", schema=None) as batch_op:
        batch_op.alter_column("chain_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("uq_chain_step_organization_id_position", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_chain_step_chain_id_position"), ["chain_id", "position"])
        batch_op.create_foreign_key(batch_op.f("fk_chain_step_chain_id_chain"), "chain", ["chain_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_chain_step_chain_id"), ["chain_id"], unique=False)

    rows = bind.execute(sa.text(
        "SELECT c.id, c.organization_id, s.title, s.kind, s.assignee_id FROM chain c "
        "LEFT JOIN chain_step s ON s.chain_id = c.id ORDER BY c.id, s.position")).all()
    definitions: dict[int, tuple[int, list]] = {}
    for chain_id, org_id, title, kind, assignee_id in rows:
        _, steps = definitions.setdefault(chain_id, (org_id, []))
        if title is not None:
            steps.append({"title": title, "kind": kind, "assignee_id": assignee_id, "group": None})
    for chain_id, (org_id, steps) in definitions.items():
        bind.execute(version.insert().values(
            organization_id=org_id, chain_id=chain_id, version=1, created_at=now,
            definition={"name": DEFAULT_NAME, "category": "", "active": True, "is_default": True,
                        "conditions": {}, "steps": steps}))

    with op.batch_alter_table("memo", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category", sa.String(length=100), server_default="", nullable=False))
        batch_op.add_column(sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column("chain_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("chain_version", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_memo_chain_id_chain"), "chain", ["chain_id"], ["id"])
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("step_group", sa.Integer(), nullable=True))
        batch_op.drop_constraint(op.f("ck_step_step_status"), type_="check")
        batch_op.create_check_constraint("step_status", _status_check(STATUS_NEW))


def downgrade():
    op.execute("UPDATE step SET status = 'waiting' WHERE status = 'skipped'")
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_step_step_status"), type_="check")
        batch_op.create_check_constraint("step_status", _status_check(STATUS_OLD))
        batch_op.drop_column("step_group")
    with op.batch_alter_table("memo", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_memo_chain_id_chain"), type_="foreignkey")
        batch_op.drop_column("chain_version")
        batch_op.drop_column("chain_id")
        batch_op.drop_column("amount")
        batch_op.drop_column("category")
    op.execute("DELETE FROM chain_step WHERE chain_id IN (SELECT id FROM chain WHERE NOT is_default)")
    with op.batch_alter_table("chain_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_step_chain_id"))
        batch_op.drop_constraint(batch_op.f("fk_chain_step_chain_id_chain"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_chain_step_chain_id_position"), type_="unique")
        batch_op.create_unique_constraint("uq_chain_step_organization_id_position", ["organization_id", "position"])
        batch_op.drop_column("step_group")
        batch_op.drop_column("chain_id")
    with op.batch_alter_table("chain_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_version_organization_id"))
    op.drop_table("chain_version")
    with op.batch_alter_table("chain", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_organization_id"))
    op.drop_table("chain")
