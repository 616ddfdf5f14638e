"""Migrations run from an empty database: upgrade head, downgrade base, upgrade head again."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from approval import create_app
from approval.extensions import db


@pytest.fixture()
def empty_database(tmp_path):
    """A URL of a fresh database: a SQLite file, or a new database on the test PostgreSQL server."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    server = sa.engine.make_url(url)
    name = f"{server.database}_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


#: The memo's columns of a later migration (e3c0f0000003) that the current models write.
SNAPSHOT_COLUMNS = ("author_name", "author_position", "author_signature_sha256")


def _signature_tables() -> list[sa.Table]:
    """The tables of the signatures migration (e7a0f0000007), which the models write to."""
    names = ("document_seal", "step_signature", "signing_key", "signing_authority")
    return [db.metadata.tables[name] for name in names]


def _chain_tables() -> list[sa.Table]:
    """The tables of the chains migration (c1a1f0000009), which the models write to."""
    return [db.metadata.tables[name] for name in ("chain", "chain_version")]


#: The columns the chains migration adds, which the models write to (table, column, SQL type).
CHAIN_COLUMNS = [("chain_step", "chain_id", "INTEGER"), ("chain_step", "step_group", "INTEGER"),
                 ("memo", "category", "VARCHAR(100) DEFAULT '' NOT NULL"), ("memo", "amount", "NUMERIC(14, 2)"),
                 ("memo", "chain_id", "INTEGER"), ("memo", "chain_version", "INTEGER"),
                 ("step", "step_group", "INTEGER")]


def tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_upgrade_downgrade_upgrade(empty_database, tmp_path):
    app = create_app({"APP_ENV": "testing", "TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": empty_database, "STORAGE_DIR": str(tmp_path / "files")})
    with app.app_context():
        try:
            upgrade()
            models = {t.name for t in db.metadata.sorted_tables}
            assert models <= tables(db.engine)
            if db.engine.dialect.name == "sqlite":
                assert "memo_fts" in tables(db.engine)
            else:
                indexes = {i["name"] for i in sa.inspect(db.engine).get_indexes("memo_search")}
                assert "ix_memo_search_text_trgm" in indexes
            downgrade(revision="base")
            assert tables(db.engine) <= {"alembic_version"}
            upgrade()
            assert models <= tables(db.engine)
        finally:
            db.session.remove()
            db.engine.dispose()


def test_the_search_migration_indexes_existing_memos(empty_database, tmp_path):
    """Memos written before the search index get their search document on upgrade."""
    app = create_app({"APP_ENV": "testing", "TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": empty_database, "STORAGE_DIR": str(tmp_path / "files")})
    with app.app_context():
        try:
            upgrade(revision="4757f22923fc")
            from approval.cli import seed_demo
            with db.engine.begin() as conn:  # the models know memo_search; the old schema does not
                conn.execute(sa.text("CREATE TABLE memo_search (memo_id INTEGER PRIMARY KEY, "
                                     "organization_id INTEGER NOT NULL, text TEXT NOT NULL)"))
                conn.execute(sa.text("ALTER TABLE organization ADD COLUMN admin_event_head VARCHAR(64)"))
                for column in SNAPSHOT_COLUMNS:
                    conn.execute(sa.text(f"ALTER TABLE memo ADD COLUMN {column} VARCHAR(200)"))
                from approval.models import UserSession
                UserSession.__table__.create(conn)  # a password reset ends sessions (e1a0f0000001)
                db.metadata.create_all(conn, tables=_signature_tables())
                db.metadata.create_all(conn, tables=_chain_tables())  # chains per kind (c1a1f0000009)
                for table, column, kind in CHAIN_COLUMNS:
                    conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))
            seed_demo("demo-pass-123")
            from approval.models import User as SeededUser
            from approval.services import organizations
            admin = db.session.scalar(sa.select(SeededUser).where(SeededUser.username == "admin"))
            legal = db.session.scalar(sa.select(SeededUser).where(SeededUser.username == "legal"))
            organizations.reset_password(db.session, legal, actor=admin)  # an admin.* event
            db.session.commit()
            db.session.remove()
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP TABLE memo_search"))
                conn.execute(sa.text("ALTER TABLE organization DROP COLUMN admin_event_head"))
                for column in SNAPSHOT_COLUMNS:
                    conn.execute(sa.text(f"ALTER TABLE memo DROP COLUMN {column}"))
                conn.execute(sa.text("DROP TABLE user_session"))
                db.metadata.drop_all(conn, tables=_signature_tables())
                for table, column, _ in CHAIN_COLUMNS:
                    conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
                db.metadata.drop_all(conn, tables=_chain_tables())
            db.session.remove()
            upgrade()
            from approval.models import Memo, User
            from approval.services import memos

            legal = db.session.scalar(sa.select(User).where(User.username == "legal"))
            items, total = memos.list_memos(db.session, legal, q="เศรษฐกิจพอเพียง")
            assert total == 1 and items[0].author_id == legal.id
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Memo)) == 1
            # the admin chain's head is filled in from the events already there
            from approval.services import audit
            assert audit.verify_chain(db.session) == []
        finally:
            db.session.remove()
            db.engine.dispose()


def test_the_snapshot_migration_backfills_signed_steps_from_the_current_users(seeded):
    """e3c0f0000003 fills in the signing blocks of steps signed (and memos submitted) before it
    with each person's current name, position and signature: the values at signing were never kept."""
    import hashlib
    import importlib.util
    import io
    from pathlib import Path

    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from PIL import Image

    from approval.models import Memo, SignatureImage, Step
    from approval.services import organizations
    from tests import helpers

    png = io.BytesIO()
    Image.new("RGB", (60, 20), (0, 0, 200)).save(png, format="PNG")
    head = helpers.user("head")
    organizations.set_signature(db.session, head, png.getvalue())
    db.session.commit()
    memo = helpers.memo_in("review_deputy")
    with db.engine.begin() as conn:  # as the rows were before the migration
        conn.execute(sa.update(Step).values(signer_name=None, signer_position=None, signature_sha256=None))
        conn.execute(sa.update(Memo).values(author_name=None, author_position=None, author_signature_sha256=None))
        conn.execute(sa.delete(SignatureImage))
    path = Path(__file__).parent.parent / "migrations" / "versions" / "e3c0f0000003_audit_anchor_and_signing_snapshot.py"
    spec = importlib.util.spec_from_file_location("snapshot_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with db.engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        migration._backfill()
    db.session.expire_all()
    steps = {s.seq: s for s in db.session.get(Memo, memo.id).steps}
    sha = hashlib.sha256(head.signature_png).hexdigest()
    assert (steps[1].signer_name, steps[1].signer_position, steps[1].signature_sha256) == (
        head.full_name, head.position, sha)
    assert steps[2].signer_name is None  # pending: not signed yet
    assert db.session.get(SignatureImage, sha).png == head.signature_png
    assert db.session.get(Memo, memo.id).author_name == helpers.user("legal").full_name
