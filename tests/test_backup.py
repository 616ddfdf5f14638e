"""Backup and restore: a restored database has every memo and every frozen PDF intact."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa

from approval.extensions import db
from approval.models import Memo, MemoDocument
from approval.services import audit
from tests.helpers import memo_in

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture(autouse=True)
def _sqlite_only(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the backup and restore commands copy SQLite; PostgreSQL uses pg_dump")


def snapshot() -> dict:
    db.session.expire_all()
    memos = {m.id: (m.number, m.subject, m.state.value, m.version, [dict(s) for s in m.sections])
             for m in db.session.scalars(sa.select(Memo))}
    pdfs = {d.memo_id: (d.sha256, hashlib.sha256(d.content).hexdigest())
            for d in db.session.scalars(sa.select(MemoDocument))}
    return {"memos": memos, "pdfs": pdfs}


def test_backup_then_restore_brings_back_every_memo_and_pdf(seeded, tmp_path):
    memo_in("decided")  # freezes the reference memo's PDF
    storage = seeded.config["STORAGE_DIR"]
    import pathlib

    pathlib.Path(storage).mkdir(parents=True, exist_ok=True)
    (pathlib.Path(storage) / "note.txt").write_text("kept", encoding="utf-8")
    before = snapshot()
    assert before["pdfs"] and all(stored == actual for stored, actual in before["pdfs"].values())

    runner = seeded.test_cli_runner()
    out = tmp_path / "backup"
    result = runner.invoke(args=["backup", "-o", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sha256"] == hashlib.sha256((out / "approval.sqlite3").read_bytes()).hexdigest()
    assert (out / "files" / "note.txt").read_text(encoding="utf-8") == "kept"
    assert manifest["sha256"] in result.output

    # Disaster: documents lost, a memo changed, a stored file gone.
    db.session.execute(sa.delete(MemoDocument))
    db.session.execute(sa.update(Memo).values(subject="ถูกแก้ไข"))
    db.session.commit()
    (pathlib.Path(storage) / "note.txt").unlink()
    assert snapshot() != before

    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    after = snapshot()
    assert after == before
    assert all(stored == actual for stored, actual in after["pdfs"].values())
    assert audit.verify_chain(db.session) == []
    assert (pathlib.Path(storage) / "note.txt").read_text(encoding="utf-8") == "kept"


def test_backup_refuses_to_overwrite(seeded, tmp_path):
    runner = seeded.test_cli_runner()
    assert runner.invoke(args=["backup", "-o", str(tmp_path)]).exit_code == 0
    result = runner.invoke(args=["backup", "-o", str(tmp_path)])
    assert result.exit_code != 0 and "อยู่แล้ว" in result.output


def test_restore_refuses_a_tampered_backup_and_asks_first(seeded, tmp_path):
    runner = seeded.test_cli_runner()
    assert runner.invoke(args=["backup", "-o", str(tmp_path)]).exit_code == 0
    before = snapshot()
    result = runner.invoke(args=["restore", str(tmp_path)], input="n\n")
    assert result.exit_code == 1 and snapshot() == before  # declined
    with open(tmp_path / "approval.sqlite3", "ab") as fh:
        fh.write(b"tampered")
    result = runner.invoke(args=["restore", str(tmp_path), "--yes"])
    assert result.exit_code != 0 and "sha256" in result.output
    result = runner.invoke(args=["restore", str(tmp_path / "missing"), "--yes"])
    assert result.exit_code != 0


def test_on_postgresql_backup_prints_the_pg_dump_command(seeded, tmp_path, monkeypatch):
    monkeypatch.setitem(seeded.config, "SQLALCHEMY_DATABASE_URI",
                        "postgresql+psycopg://saraban:s3cret@db.internal:5432/saraban")
    runner = seeded.test_cli_runner()
    result = runner.invoke(args=["backup", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "pg_dump --format=custom" in result.output and "db.internal:5432/saraban" in result.output
    assert "s3cret" not in result.output
    assert "pg_restore" in result.output
    assert runner.invoke(args=["restore", str(tmp_path), "--yes"]).exit_code == 1
