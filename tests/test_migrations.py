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
                assert "ix_memo_search_org_text_trgm" in indexes
            downgrade(revision="base")
            assert tables(db.engine) <= {"alembic_version"}
            upgrade()
            assert models <= tables(db.engine)
        finally:
            db.session.remove()
            db.engine.dispose()


def test_the_search_migration_indexes_existing_memos(empty_database, tmp_path):
    """Memos written before the search index get their search document on upgrade.

    The demo is seeded at head (the models and the schema agree there), then every later
    migration is downgraded -- keeping the memos, as downgrades must -- to the revision before
    search (4757f22923fc), and upgraded again.
    """
    app = create_app({"APP_ENV": "testing", "TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": empty_database, "STORAGE_DIR": str(tmp_path / "files")})
    with app.app_context():
        try:
            upgrade()
            from approval.cli import seed_demo
            seed_demo("demo-pass-123")
            from approval.models import User as SeededUser
            from approval.services import organizations
            admin = db.session.scalar(sa.select(SeededUser).where(SeededUser.username == "admin"))
            legal = db.session.scalar(sa.select(SeededUser).where(SeededUser.username == "legal"))
            organizations.reset_password(db.session, legal, actor=admin)  # an admin.* event
            db.session.commit()
            db.session.remove()
            downgrade(revision="4757f22923fc")
            assert "memo_search" not in tables(db.engine)
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


def _rows(table: str) -> list[tuple]:
    """Every row of a table, in key order, as plain tuples."""
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(f'SELECT * FROM "{table}" ORDER BY 1, 2'))]


def test_the_tenant_keys_migration_keeps_a_decided_memo(empty_database, tmp_path):
    """a6a6c1705009 rebuilds the keys of every tenant table of a database with a decided memo
    (steps, events, frozen document, plan report, notifications) in it; nothing is lost or
    changed, the audit chain still verifies, and the downgrade gives the same rows back."""
    from approval.models.tenancy import DISTRIBUTED

    app = create_app({"APP_ENV": "testing", "TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": empty_database, "STORAGE_DIR": str(tmp_path / "files"),
                      "AUDIT_ANCHOR_DIR": str(tmp_path / "anchors")})
    with app.app_context():
        try:
            upgrade()  # seeded at head, where the models and the schema agree
            from approval.cli import seed_demo
            from tests import helpers

            seed_demo(helpers.PASSWORD)
            memo_id = helpers.memo_in("decided").id
            db.session.remove()
            downgrade(revision="e8a0f0000008")  # the downgrades keep the rows
            before = {table: _rows(table) for table in DISTRIBUTED}
            for table in ("memo", "step", "event", "memo_document", "plan_report", "plan_project", "notification"):
                assert before[table], f"the test needs rows in {table}"

            upgrade(revision="a6a6c1705009")
            assert {table: _rows(table) for table in DISTRIBUTED} == before
            upgrade()
            pk = sa.inspect(db.engine).get_pk_constraint("step")["constrained_columns"]
            assert set(pk) == {"id", "organization_id"}
            from approval.models import Memo, MemoState
            from approval.services import audit
            memo = db.session.get(Memo, memo_id)
            assert memo.state is MemoState.DECIDED and memo.document is not None
            assert [s.status.value for s in memo.steps] == ["done"] * len(memo.steps)
            assert audit.verify_chain(db.session) == []
            # the app goes on writing: the next memo gets a new id, its steps their memo's organisation
            from approval.services import memos
            legal = helpers.user("legal")
            fresh = memos.create_memo(db.session, legal, {k: getattr(memo, k) for k in (
                "department", "subject", "addressee", "sections", "closing", "date")})
            db.session.commit()
            assert fresh.id > memo_id
            db.session.remove()

            downgrade(revision="e8a0f0000008")
            assert sa.inspect(db.engine).get_pk_constraint("step")["constrained_columns"] == ["id"]
            after = {table: _rows(table) for table in DISTRIBUTED}
            assert {t: [r for r in rows if not (t == "memo" and r[0] == fresh.id)] for t, rows in after.items()
                    if t not in ("event", "memo_search")} == {t: rows for t, rows in before.items()
                                                              if t not in ("event", "memo_search")}
            assert all(row in after["event"] for row in before["event"])
        finally:
            db.session.remove()
            db.engine.dispose()
