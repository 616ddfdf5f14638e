"""Fixtures: an app on a migrated database (SQLite file, or TEST_DATABASE_URL), clients, users."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from approval import create_app
from approval.extensions import db
from approval.pdf.process import configure_process
from approval.services import accounts
from approval.signatures import keys as signing_keys

PASSWORD = "demo-pass-123"
accounts.use_fast_hasher()
signing_keys.use_fast_kdf()
# Every test that renders a PDF does so with the settings of every other process.
configure_process()


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return f"sqlite:///{tmp_root / ('test-' + uuid.uuid4().hex[:8] + '.sqlite3')}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("app")
    app = create_app({
        "APP_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _database_url(root),
        "STORAGE_DIR": str(root / "files"),
        "AUDIT_ANCHOR_DIR": str(root / "anchors"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # The preview cache is off (a test that makes the renderer fail must see it fail);
        # tests/test_wire.py turns it on in a folder of its own.
        "PREVIEW_CACHE_BYTES": 0,
        "PREVIEW_CACHE_DIR": str(root / "previews"),
        "HUEY_URL": "memory://",  # the job queue in memory: tests run its tasks themselves
        # The race tests send up to 40 requests at once through this app: the load shedder
        # would refuse most of them (it is tested on apps of its own, tests/test_shed.py).
        "SHED_MAX_IN_FLIGHT": 0,
        # The race tests hold one connection per thread (up to 50 at once).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 5, "max_overflow": 70, "pool_timeout": 60},
    })
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _wipe() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture()
def ctx(app):
    """An app context on an empty database (wiped after the test)."""
    with app.app_context():
        yield app
        db.session.remove()
        _wipe()
        shutil.rmtree(app.config["AUDIT_ANCHOR_DIR"], ignore_errors=True)  # the exported checkpoints too


@pytest.fixture()
def seeded(ctx):
    """The demo data: the reference organisation, its people and memo; the second organisation."""
    from approval.cli import seed_demo

    seed_demo(PASSWORD)
    return ctx


@pytest.fixture()
def users(seeded):
    from approval.models import User

    return {u.username: u for u in db.session.scalars(sa.select(User))}


@pytest.fixture()
def client(ctx):
    return ctx.test_client()


def login(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password}, follow_redirects=False)


@pytest.fixture()
def token_for(seeded):
    """A function: username -> bearer token (via the API)."""
    client = seeded.test_client()

    def make(username: str, password: str = PASSWORD) -> str:
        response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]

    return make


@pytest.fixture(autouse=True)
def _dispose_extra_apps(request):
    """Close the connection pools of any extra app a test created (PostgreSQL warns otherwise)."""
    yield
    main = request.getfixturevalue("app") if "app" in request.fixturenames else None
    for other, engines in list(db._app_engines.items()):
        if other is not main:
            for engine in engines.values():
                engine.dispose()
