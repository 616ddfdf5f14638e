"""Backup and restore: `flask --app wsgi backup -o DIR`, `flask --app wsgi restore DIR`.

Memos, frozen PDFs, emblems and signatures -- and the signature images kept as signed
(``signature_image``) and the audit checkpoints (``audit_checkpoint``) -- all live in the
database, so the database is the backup. The exported checkpoints (``AUDIT_ANCHOR_DIR``)
are copied too, as ``anchors/``, but a restore never replaces or shortens an anchor file
that exists: it is the trusted copy, and a restore of an older database must show up in
``verify-chain`` as the events it lost. Only missing anchor files are put back. On SQLite the copy is made with the sqlite3 online backup API (consistent
while the app keeps running); on PostgreSQL with pg_dump's custom format (one consistent
snapshot) and put back with pg_restore in a single transaction. Either way the folder
holds a manifest with the copy's SHA-256, checked before anything is restored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.engine import URL, make_url

from ..extensions import db

DB_FILE = "approval.sqlite3"
PG_FILE = "approval.dump"
FILES_DIR = "files"
ANCHORS_DIR = "anchors"
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


def _libpq() -> tuple[str, dict]:
    """The database as a libpq URL without its password, and an environment carrying it
    (PGPASSWORD), so that the password is never on a command line."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    bare = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                      database=url.database, query=url.query)  # URL.set(password=None) keeps it
    return bare.render_as_string(hide_password=False), env


def _run(program: str, args: list[str], env: dict) -> None:
    """pg_dump / pg_restore, found on PATH and given fixed arguments (no shell)."""
    path = shutil.which(program)
    if path is None:
        raise click.ClickException(f"ไม่พบคำสั่ง {program} (ติดตั้ง postgresql-client รุ่นเดียวกับเซิร์ฟเวอร์)")
    done = subprocess.run([path, *args], env=env, capture_output=True, text=True, check=False)  # nosec B603
    if done.returncode != 0:
        raise click.ClickException(f"{program} ไม่สำเร็จ: {done.stderr.strip()[-500:]}")


def _copy_files(out_dir: Path) -> str | None:
    storage = Path(current_app.config.get("STORAGE_DIR") or "")
    if storage and storage.is_dir() and any(storage.iterdir()):
        shutil.copytree(storage, out_dir / FILES_DIR)
        return FILES_DIR
    return None


def _anchor_dir() -> Path:
    from ..services import anchors

    return anchors.settings().directory


def _copy_anchors(out_dir: Path) -> str | None:
    """The exported audit checkpoints (one .jsonl per organisation), copied as they are."""
    source = _anchor_dir()
    files = sorted(source.glob("*.jsonl")) if source.is_dir() else []
    if not files:
        return None
    (out_dir / ANCHORS_DIR).mkdir()
    for path in files:
        shutil.copy2(path, out_dir / ANCHORS_DIR / path.name)
    return ANCHORS_DIR


def _restore_anchors(in_dir: Path, manifest: dict) -> list[str]:
    """Put back the anchor files that are missing; never replace one that exists."""
    anchors = manifest.get("anchors")
    if not anchors or not (in_dir / anchors).is_dir():
        return []
    target = _anchor_dir()
    target.mkdir(parents=True, exist_ok=True)
    restored = []
    for path in sorted((in_dir / anchors).glob("*.jsonl")):
        if not (target / path.name).exists():
            shutil.copy2(path, target / path.name)
            restored.append(path.name)
    return restored


def _write_manifest(out_dir: Path, database: str, kind: str, files: str | None) -> dict:
    manifest = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "kind": kind, "database": database, "sha256": _sha256(out_dir / database), "files": files,
        "anchors": _copy_anchors(out_dir),
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def _read_manifest(in_dir: Path, kind: str) -> tuple[dict, Path]:
    """The backup's manifest and database file, checked against the manifest's SHA-256."""
    manifest_path = in_dir / MANIFEST
    if not manifest_path.is_file():
        raise click.ClickException(f"ไม่พบข้อมูลสำรองใน {in_dir}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("kind", "sqlite") != kind:
        raise click.ClickException(f"ข้อมูลสำรองนี้เป็นของฐานข้อมูล {manifest.get('kind', 'sqlite')} "
                                   f"แต่ฐานข้อมูลปัจจุบันเป็น {kind}")
    source = in_dir / str(manifest.get("database") or "")
    if not source.is_file() or source.parent != in_dir:
        raise click.ClickException(f"ไม่พบข้อมูลสำรองใน {in_dir}")
    if _sha256(source) != manifest.get("sha256"):
        raise click.ClickException("ไฟล์สำรองถูกแก้ไขหรือเสียหาย (sha256 ไม่ตรงกับ manifest.json)")
    return manifest, source


def _restore_files(in_dir: Path, manifest: dict) -> None:
    files = manifest.get("files")
    storage = Path(current_app.config.get("STORAGE_DIR") or "")
    if files and storage:
        if storage.exists():
            shutil.rmtree(storage)
        shutil.copytree(in_dir / files, storage)


def backup_postgres(out_dir: Path) -> dict:
    """pg_dump (custom format: one consistent snapshot) and the stored files; the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / PG_FILE
    if target.exists():
        raise click.ClickException(f"มีไฟล์สำรอง {target} อยู่แล้ว กรุณาเลือกโฟลเดอร์ใหม่")
    url, env = _libpq()
    _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", f"--file={target}", url], env)
    return _write_manifest(out_dir, PG_FILE, "postgresql", _copy_files(out_dir))


def restore_postgres(in_dir: Path) -> None:
    """Replace the live PostgreSQL database's contents with a backup made by backup_postgres,
    in one transaction: a failure leaves the database as it was."""
    manifest, source = _read_manifest(in_dir, "postgresql")
    db.session.remove()
    db.engine.dispose()  # our own connections must not hold locks on the tables being replaced
    url, env = _libpq()
    _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                        f"--dbname={url}", str(source)], env)
    _restore_files(in_dir, manifest)
    _restore_anchors(in_dir, manifest)


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
    return _write_manifest(out_dir, DB_FILE, "sqlite", _copy_files(out_dir))


def restore_sqlite(target: Path, in_dir: Path) -> None:
    """Replace the live SQLite database (and files dir) with a backup made by backup_sqlite."""
    manifest, source = _read_manifest(in_dir, "sqlite")
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
    _restore_files(in_dir, manifest)
    _restore_anchors(in_dir, manifest)


def register(app: Flask) -> None:
    @app.cli.command("backup")
    @click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
                  help="A new (or empty) folder for the backup.")
    def backup_command(out_dir: Path):
        """Copy the database and the stored files into a new folder, with a manifest."""
        source = _sqlite_path()
        if source is None:
            manifest = backup_postgres(out_dir)
            click.echo(f"{out_dir / PG_FILE}\t{manifest['sha256']}")
            return
        manifest = backup_sqlite(source, out_dir)
        click.echo(f"{out_dir / DB_FILE}\t{manifest['sha256']}")

    @app.cli.command("restore")
    @click.argument("in_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_command(in_dir: Path, yes: bool):
        """Replace the database with a backup (stop the app servers first)."""
        target = _sqlite_path()
        where = target if target is not None else _redacted_url()
        if not yes:
            click.confirm(f"ข้อมูลปัจจุบันใน {where} จะถูกแทนที่ด้วยข้อมูลสำรอง ดำเนินการต่อหรือไม่", abort=True)
        if target is None:
            restore_postgres(in_dir)
        else:
            restore_sqlite(target, in_dir)
        click.echo(f"กู้คืนฐานข้อมูลจาก {in_dir} แล้ว")
