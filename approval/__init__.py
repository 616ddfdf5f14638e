"""e-Saraban: internal memos (บันทึกข้อความ) and their signing chain."""

from __future__ import annotations

import json
import os

from flask import Flask

from . import config as settings
from .config import PROJECT_ROOT, PUBLIC_SECRETS, load_config
from .extensions import csrf, db, limiter, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: defaults, then the environment, then the test mapping."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(settings.INSTANCE_DIR),
    )
    app.config.from_mapping(load_config())
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.load_or_create_secret(settings.INSTANCE_DIR)
    _check_secret(app)
    from .web.shed import install as install_load_shedder

    install_load_shedder(app)  # before the views: a refusal costs no session, no database, no template
    if app.config.get("TRUST_PROXY", os.environ.get("TRUST_PROXY") == "1"):
        # Behind one reverse proxy that sets X-Forwarded-For/-Proto/-Host (HTTPS ends there).
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    # Thai stays readable (and searchable) inside JSON columns.
    options.setdefault("json_serializer", lambda obj: json.dumps(obj, ensure_ascii=False))
    uri = str(app.config.get("SQLALCHEMY_DATABASE_URI") or "")
    if "poolclass" not in options and ":memory:" not in uri and uri not in ("sqlite://", "sqlite:///"):
        # One pooled connection per request a worker serves at once (the load shedder keeps that
        # at SHED_MAX_IN_FLIGHT, 8): past the pool, each request opened and closed a connection
        # of its own (pragmas and all), a quarter of a worker's time under wrk at 16 connections.
        options.setdefault("pool_size", int(os.environ.get("DATABASE_POOL_SIZE", "16")))
    if uri.startswith("sqlite"):
        from .models.tenancy import sqlite_engine_options

        sqlite_engine_options(options)
        # A file on this machine does not drop connections: no ping before each checkout.
        options["pool_pre_ping"] = False
    if uri.startswith("postgres"):
        # No JIT: its compilation (about 120 ms at 1M memos, bench/scale.py) is paid by every
        # search whose trigram estimate looks expensive, for queries that run in milliseconds.
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("options", "-c jit=off")
        options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    os.makedirs(app.instance_path, exist_ok=True)

    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    configure_pdf_process()
    return app


def configure_pdf_process() -> None:
    """The PDF renderer's process-wide settings (they change a memo's bytes),
    before any request or CLI command (render-memo...) can render."""
    from .pdf.process import configure_process

    configure_process()


def _check_secret(app: Flask) -> None:
    """Outside development and tests a known-public key is refused (a forged cookie would open any page)."""
    if app.config["APP_ENV"] not in ("development", "testing") and app.config["SECRET_KEY"] in PUBLIC_SECRETS:
        raise RuntimeError("SECRET_KEY must be a real secret outside development (or unset: one is generated)")
    if app.config["APP_ENV"] == "production":
        app.debug = False  # never the interactive debugger in production, whatever FLASK_DEBUG says


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from . import models  # noqa: F401  (register the tables with the metadata)
    from .sqlite import install_sqlite_pragmas

    with app.app_context():
        install_sqlite_pragmas(db.engine)
    from .notifications import init_app as init_notifications

    init_notifications(app)


def register_blueprints(app: Flask) -> None:
    from .api import register_api
    from .web import register_web

    register_web(app)
    register_api(app)


def register_commands(app: Flask) -> None:
    from .cli import register_cli

    register_cli(app)
