"""Backup and restore: `flask --app wsgi backup -o DIR`, `flask --app wsgi restore DIR`.

Memos, frozen PDFs, emblems and signatures all live in the database, so the database is
the backup. On SQLite the copy is made with the sqlite3 online backup API (consistent
while the app keeps running); on PostgreSQL the command prints the pg_dump to run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.engine import make_url

from ..extensions import db

DB_FILE = "approval.sqlite3"
FILES_DIR = "files"
MANIFEST = "manifest.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_path() -> Path | None:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise click.ClickException("ฐานข้อมูล SQLite ในหน่วยความจำสำรองไม่ได้")
    return Path(url.database)


def _redacted_url() -> str:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=True)


def backup_sqlite(source: Path, out_dir: Path) -> dict:
    """A consistent copy of the SQLite database and the stored files dir; returns the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / DB_FILE
    if target.exists():
        raise click.ClickException(f"มีไฟล์สำรอง {target} อยู่แล้ว กรุณาเลือกโฟลเดอร์ใหม่")
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target))
    try:
        with dst:
            src.backup(dst)
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if check != "ok":
        raise click.ClickException(f"สำเนาฐานข้อมูลไม่สมบูรณ์: {check}")
    storage = Path(current_app.config.get("STORAGE_DIR") or "")
    copied_files = False
    if storage and storage.is_dir() and any(storage.iterdir()):
        shutil.copytree(storage, out_dir / FILES_DIR)
        copied_files = True
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": DB_FILE, "sha256": _sha256(target), "files": FILES_DIR if copied_files else None,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def restore_sqlite(target: Path, in_dir: Path) -> None:
    """Replace the live SQLite database (and files dir) with a backup made by backup_sqlite."""
    manifest_path = in_dir / MANIFEST
    source = in_dir / DB_FILE
    if not manifest_path.is_file() or not source.is_file():
        raise click.ClickException(f"ไม่พบข้อมูลสำรองใน {in_dir}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if _sha256(source) != manifest.get("sha256"):
        raise click.ClickException("ไฟล์สำรองถูกแก้ไขหรือเสียหาย (sha256 ไม่ตรงกับ manifest.json)")
    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps the old pages
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target), timeout=30)
    try:
        with dst:
            src.backup(dst)  # page by page under the database lock: never a half-copied file
    finally:
        dst.close()
        src.close()
    db.engine.dispose()
    files = manifest.get("files")
    storage = Path(current_app.config.get("STORAGE_DIR") or "")
    if files and storage:
        if storage.exists():
            shutil.rmtree(storage)
        shutil.copytree(in_dir / files, storage)


def register(app: Flask) -> None:
    @app.cli.command("backup")
    @click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
                  help="A new (or empty) folder for the backup.")
    def backup_command(out_dir: Path):
        """Copy the database (SQLite) and stored files; print the pg_dump command for PostgreSQL."""
        source = _sqlite_path()
        if source is None:
            click.echo("ฐานข้อมูลเป็น PostgreSQL: สำรองด้วยคำสั่ง")
            click.echo(f'  pg_dump --format=custom --no-owner --file "{out_dir / "approval.dump"}" '
                       f'"{_redacted_url()}"')
            click.echo("กู้คืนด้วย")
            click.echo(f'  pg_restore --clean --if-exists --no-owner --dbname "$DATABASE_URL" '
                       f'"{out_dir / "approval.dump"}"')
            return
        manifest = backup_sqlite(source, out_dir)
        click.echo(f"{out_dir / DB_FILE}\t{manifest['sha256']}")

    @app.cli.command("restore")
    @click.argument("in_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_command(in_dir: Path, yes: bool):
        """Replace the SQLite database with a backup (stop the app servers first)."""
        target = _sqlite_path()
        if target is None:
            click.echo("ฐานข้อมูลเป็น PostgreSQL: กู้คืนด้วย pg_restore (ดู README หัวข้อ Backup and restore)",
                       err=True)
            sys.exit(1)
        if not yes:
            click.confirm(f"ข้อมูลปัจจุบันใน {target} จะถูกแทนที่ด้วยข้อมูลสำรอง ดำเนินการต่อหรือไม่", abort=True)
        restore_sqlite(target, in_dir)
        click.echo(f"กู้คืนฐานข้อมูลจาก {in_dir} แล้ว")
