"""tenant keys: every tenant table keyed by (id, organization_id), ready to distribute with Citus

Citus distributes the tenant tables by ``organization_id`` and asks for the distribution
column in every primary key, unique constraint and foreign key between them
(approval/models/tenancy.py lists the tables and why; docs/scaling.md tells the path).

* each distributed table's ``organization_id`` is first made equal to its parent's (the
  memo's, the report's, the notification's): the composite foreign keys need it;
* primary keys become ``(id, organization_id)`` (``memo_search``: ``(memo_id, organization_id)``);
* unique constraints gain ``organization_id`` (``event.hash``, ``notification.dedupe_key``,
  ``document_seal.token``, one document/report/seal per memo, one signature per step, ...);
* foreign keys between tenant tables become ``(x_id, organization_id) -> x(id, organization_id)``.

PostgreSQL alters the constraints in place (ids keep their sequences). SQLite rebuilds each
table (batch mode) with foreign keys switched off for the rebuild, checks them all
afterwards (``PRAGMA foreign_key_check``) and restores the search index's triggers, which
go with the rebuilt ``memo_search``. The downgrade puts the single-column keys back.

Revision ID: a6a6c1705009
Revises: e8a0f0000008
Create Date: 2026-12-04 13:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "a6a6c1705009"
down_revision = "e8a0f0000008"
branch_labels = None
depends_on = None

ORG = "organization_id"

#: (table, key column, [(unique before, unique after, columns before)], [(fk name, column, parent)]),
#: parents before children.
TABLES = [
    ("memo", "id", [], []),
    ("appointment", "id", [], []),
    ("step", "id", [("uq_step_memo_id_round_seq", "uq_step_memo_id_round_seq_organization_id",
                     ["memo_id", "round", "seq"])],
     [("fk_step_memo_id_memo", "memo_id", "memo"),
      ("fk_step_appointment_id_appointment", "appointment_id", "appointment")]),
    ("event", "id", [("uq_event_hash", "uq_event_hash_organization_id", ["hash"])],
     [("fk_event_memo_id_memo", "memo_id", "memo")]),
    ("memo_document", "id", [("uq_memo_document_memo_id", "uq_memo_document_memo_id_organization_id", ["memo_id"])],
     [("fk_memo_document_memo_id_memo", "memo_id", "memo")]),
    ("memo_search", "memo_id", [], [("fk_memo_search_memo_id_memo", "memo_id", "memo")]),
    ("attachment", "id", [], [("fk_attachment_memo_id_memo", "memo_id", "memo")]),
    ("plan_report", "id", [("uq_plan_report_memo_id", "uq_plan_report_memo_id_organization_id", ["memo_id"])],
     [("fk_plan_report_memo_id_memo", "memo_id", "memo")]),
    ("plan_project", "id", [], [("fk_plan_project_report_id_plan_report", "report_id", "plan_report")]),
    ("step_signature", "id", [("uq_step_signature_step_id", "uq_step_signature_step_id_organization_id", ["step_id"])],
     [("fk_step_signature_memo_id_memo", "memo_id", "memo"),
      ("fk_step_signature_step_id_step", "step_id", "step")]),
    ("document_seal", "id",
     [("uq_document_seal_memo_id", "uq_document_seal_memo_id_organization_id", ["memo_id"]),
      ("uq_document_seal_token", "uq_document_seal_token_organization_id", ["token"])],
     [("fk_document_seal_memo_id_memo", "memo_id", "memo")]),
    ("notification", "id", [("uq_notification_dedupe_key", "uq_notification_dedupe_key_organization_id", ["dedupe_key"])],
     [("fk_notification_memo_id_memo", "memo_id", "memo")]),
    ("notification_delivery", "id",
     [("uq_notification_delivery_once", "uq_notification_delivery_once", ["notification_id", "channel"]),
      ("uq_notification_delivery_digest", "uq_notification_delivery_digest", ["user_id", "channel", "digest_on"])],
     [("fk_notification_delivery_notification_id_notification", "notification_id", "notification")]),
    ("audit_checkpoint", "id", [], []),
]

#: The search index's triggers on SQLite (migration afa2c406592f): dropped with the table.
FTS_TRIGGERS = (
    ("CREATE TRIGGER memo_search_ai AFTER INSERT ON memo_search BEGIN "
    "INSERT INTO memo_fts(rowid, text) VALUES (new.memo_id, new.text); END"),
    ("CREATE TRIGGER memo_search_ad AFTER DELETE ON memo_search BEGIN "
    "INSERT INTO memo_fts(memo_fts, rowid, text) VALUES ('delete', old.memo_id, old.text); END"),
    ("CREATE TRIGGER memo_search_au AFTER UPDATE ON memo_search BEGIN "
    "INSERT INTO memo_fts(memo_fts, rowid, text) VALUES ('delete', old.memo_id, old.text); "
    "INSERT INTO memo_fts(rowid, text) VALUES (new.memo_id, new.text); END"),
)


def _backfill() -> None:
    """Each tenant row takes its parent's organisation (they agree already, unless the data was hand-edited)."""
    for table, _key, _uniques, fks in TABLES:
        for _name, column, parent in fks[:1]:  # the first parent decides (the memo where there are two)
            parent_org = f"(SELECT p.{ORG} FROM {parent} p WHERE p.id = {table}.{column})"
            op.execute(f"UPDATE {table} SET {ORG} = {parent_org} "
                       f"WHERE {column} IS NOT NULL AND {ORG} <> {parent_org}")


def _apply(batch, table: str, key: str, uniques, fks, *, to_tenant: bool) -> None:
    """Swap one table's keys, one way or the other, on a batch (SQLite) or in place (PostgreSQL)."""
    for name, _column, _parent in fks:
        batch.drop_constraint(name, type_="foreignkey")
    for before, after, columns in uniques:
        batch.drop_constraint(before if to_tenant else after, type_="unique")
    batch.drop_constraint(f"pk_{table}", type_="primary")
    batch.create_primary_key(f"pk_{table}", [key, ORG] if to_tenant else [key])
    for before, after, columns in uniques:
        if to_tenant:
            batch.create_unique_constraint(after, [*columns, ORG])
        else:
            batch.create_unique_constraint(before, columns)


def _add_foreign_keys(batch, fks, *, to_tenant: bool) -> None:
    for name, column, parent in fks:
        if to_tenant:
            batch.create_foreign_key(name, parent, [column, ORG], ["id", ORG])
        else:
            batch.create_foreign_key(name, parent, [column], ["id"])


def _switch(*, to_tenant: bool) -> None:
    bind = op.get_bind()
    order = TABLES if to_tenant else list(reversed(TABLES))
    if bind.dialect.name != "sqlite":
        # Foreign keys first (they hold on to the keys), then keys and uniques, then the new foreign keys.
        for table, _key, _uniques, fks in order:
            for name, _column, _parent in fks:
                op.drop_constraint(name, table, type_="foreignkey")
        for table, key, uniques, _fks in order:
            _apply(_InPlace(table), table, key, uniques, [], to_tenant=to_tenant)
        for table, _key, _uniques, fks in order:
            _add_foreign_keys(_InPlace(table), fks, to_tenant=to_tenant)
        return
    # SQLite rebuilds the tables: foreign keys off for the rebuild (a table that others refer
    # to is dropped and renamed), then checked all at once.
    enforced = bind.exec_driver_sql("PRAGMA foreign_keys").scalar()
    with op.get_context().autocommit_block():
        op.execute("PRAGMA foreign_keys=OFF")
        op.execute("BEGIN")
        try:
            for table, key, uniques, fks in order:
                with op.batch_alter_table(table, recreate="always") as batch:
                    _apply(batch, table, key, uniques, fks, to_tenant=to_tenant)
                    _add_foreign_keys(batch, fks, to_tenant=to_tenant)
            if "memo_fts" in sa.inspect(bind).get_table_names():
                for name in ("memo_search_ai", "memo_search_ad", "memo_search_au"):
                    op.execute(f"DROP TRIGGER IF EXISTS {name}")
                for statement in FTS_TRIGGERS:
                    op.execute(statement)
            broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:10]}")
            op.execute("COMMIT")
        except BaseException:
            op.execute("ROLLBACK")
            raise
        finally:
            if enforced:  # as it was (migrations/env.py runs them all with foreign keys off)
                op.execute("PRAGMA foreign_keys=ON")


class _InPlace:
    """The batch operations' names, applied directly to one table (PostgreSQL)."""

    def __init__(self, table: str):
        self.table = table

    def drop_constraint(self, name, type_):
        op.drop_constraint(name, self.table, type_=type_)

    def create_primary_key(self, name, columns):
        op.create_primary_key(name, self.table, columns)

    def create_unique_constraint(self, name, columns):
        op.create_unique_constraint(name, self.table, columns)

    def create_foreign_key(self, name, parent, local, remote):
        op.create_foreign_key(name, self.table, parent, local, remote)


def upgrade():
    _backfill()
    _switch(to_tenant=True)


def downgrade():
    _switch(to_tenant=False)
