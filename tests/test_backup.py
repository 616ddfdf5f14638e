"""Backup and restore: a restored database has every memo and every frozen PDF intact."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
import sqlalchemy as sa

from approval.extensions import db
from approval.models import AuditCheckpoint, Memo, MemoDocument, SignatureImage, Step
from approval.services import anchors, audit
from tests.helpers import memo_in

pytestmark = pytest.mark.usefixtures("seeded")


@pytest.fixture()
def db_file(app) -> str:
    """The database file a backup holds: a SQLite copy, or a pg_dump in custom format."""
    return "approval.sqlite3" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "approval.dump"


def snapshot() -> dict:
    db.session.expire_all()
    memos = {m.id: (m.number, m.subject, m.state.value, m.version, [dict(s) for s in m.sections])
             for m in db.session.scalars(sa.select(Memo))}
    pdfs = {d.memo_id: (d.sha256, hashlib.sha256(d.content).hexdigest())
            for d in db.session.scalars(sa.select(MemoDocument))}
    signed = {s.id: (s.signer_name, s.signer_position, s.signature_sha256)
              for s in db.session.scalars(sa.select(Step).where(Step.signed_at.is_not(None)))}
    images = {i.sha256: hashlib.sha256(i.png).hexdigest() for i in db.session.scalars(sa.select(SignatureImage))}
    checkpoints = {(c.organization_id, c.seq): (c.last_event_id, c.head_hash, c.signature)
                   for c in db.session.scalars(sa.select(AuditCheckpoint))}
    return {"memos": memos, "pdfs": pdfs, "signed": signed, "images": images, "checkpoints": checkpoints}


def test_backup_then_restore_brings_back_every_memo_and_pdf(seeded, tmp_path, db_file):
    from PIL import Image

    from approval.services import organizations
    from tests.helpers import user

    image = io.BytesIO()
    Image.new("RGB", (120, 40), (0, 0, 200)).save(image, format="PNG")
    organizations.set_signature(db.session, user("head"), image.getvalue(), actor=user("admin"))
    db.session.commit()
    memo_in("decided")  # freezes the reference memo's PDF; the head's signature is kept as signed
    assert seeded.test_cli_runner().invoke(args=["anchor-chain"]).exit_code == 0
    storage = seeded.config["STORAGE_DIR"]
    import pathlib

    pathlib.Path(storage).mkdir(parents=True, exist_ok=True)
    (pathlib.Path(storage) / "note.txt").write_text("kept", encoding="utf-8")
    before = snapshot()
    assert before["pdfs"] and all(stored == actual for stored, actual in before["pdfs"].values())
    assert before["images"] and before["checkpoints"] and any(sha for _n, _p, sha in before["signed"].values())

    runner = seeded.test_cli_runner()
    out = tmp_path / "backup"
    result = runner.invoke(args=["backup", "-o", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sha256"] == hashlib.sha256((out / db_file).read_bytes()).hexdigest()
    assert (out / "files" / "note.txt").read_text(encoding="utf-8") == "kept"
    assert manifest["sha256"] in result.output
    anchor_dir = anchors.settings(seeded).directory
    assert manifest["anchors"] == "anchors" and sorted(p.name for p in (out / "anchors").iterdir()) == sorted(
        p.name for p in anchor_dir.iterdir())

    # Disaster: documents lost, a memo changed, a stored file gone.
    db.session.execute(sa.delete(MemoDocument))
    db.session.execute(sa.delete(AuditCheckpoint))
    db.session.execute(sa.update(Memo).values(subject="ถูกแก้ไข"))
    db.session.commit()
    (pathlib.Path(storage) / "note.txt").unlink()
    lost = min(anchor_dir.iterdir())
    lost.unlink()  # one exported anchor file lost: it comes back; the others are never replaced
    assert snapshot() != before

    result = runner.invoke(args=["restore", str(out), "--yes"])
    assert result.exit_code == 0, result.output
    after = snapshot()
    assert after == before
    assert all(stored == actual for stored, actual in after["pdfs"].values())
    assert audit.verify_chain(db.session) == []
    assert lost.exists() and anchors.verify(db.session, anchors.settings(seeded))[0] == []
    assert (pathlib.Path(storage) / "note.txt").read_text(encoding="utf-8") == "kept"


def test_backup_refuses_to_overwrite(seeded, tmp_path):
    runner = seeded.test_cli_runner()
    assert runner.invoke(args=["backup", "-o", str(tmp_path)]).exit_code == 0
    result = runner.invoke(args=["backup", "-o", str(tmp_path)])
    assert result.exit_code != 0 and "อยู่แล้ว" in result.output


def test_restore_refuses_a_tampered_backup_and_asks_first(seeded, tmp_path, db_file):
    runner = seeded.test_cli_runner()
    assert runner.invoke(args=["backup", "-o", str(tmp_path)]).exit_code == 0
    before = snapshot()
    result = runner.invoke(args=["restore", str(tmp_path)], input="n\n")
    assert result.exit_code == 1 and snapshot() == before  # declined
    with open(tmp_path / db_file, "ab") as fh:
        fh.write(b"tampered")
    result = runner.invoke(args=["restore", str(tmp_path), "--yes"])
    assert result.exit_code != 0 and "sha256" in result.output
    result = runner.invoke(args=["restore", str(tmp_path / "missing"), "--yes"])
    assert result.exit_code != 0


def test_on_postgresql_the_password_never_reaches_a_command_line(seeded, tmp_path, monkeypatch):
    """pg_dump and pg_restore get the password in PGPASSWORD, not in their arguments, and a
    failure is a clear message, not a traceback."""
    import subprocess

    from approval.commands import admin as admin_commands

    monkeypatch.setitem(seeded.config, "SQLALCHEMY_DATABASE_URI",
                        "postgresql+psycopg://saraban:s3cret@db.internal:5432/saraban")
    calls = []

    def fake_run(args, env, **kw):
        calls.append((args, env))
        if "--file=" + str(tmp_path / "approval.dump") in args:
            (tmp_path / "approval.dump").write_bytes(b"PGDMP fake dump")
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(admin_commands.subprocess, "run", fake_run)
    monkeypatch.setattr(admin_commands.shutil, "which", lambda name: f"/usr/bin/{name}")
    runner = seeded.test_cli_runner()
    result = runner.invoke(args=["backup", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["restore", str(tmp_path), "--yes"])
    assert result.exit_code == 0, result.output
    assert [args[0] for args, _env in calls] == ["/usr/bin/pg_dump", "/usr/bin/pg_restore"]
    for args, env in calls:
        assert not any("s3cret" in a for a in args) and env["PGPASSWORD"] == "s3cret"
        assert any(a.endswith("postgresql://saraban@db.internal:5432/saraban") for a in args)
    assert "--single-transaction" in calls[1][0]

    def failing_run(args, env, **kw):
        return subprocess.CompletedProcess(args, 1, "", "pg_restore: error: connection refused")

    monkeypatch.setattr(admin_commands.subprocess, "run", failing_run)
    result = runner.invoke(args=["restore", str(tmp_path), "--yes"])
    assert result.exit_code != 0 and "pg_restore ไม่สำเร็จ" in result.output and "connection refused" in result.output
    monkeypatch.setattr(admin_commands.shutil, "which", lambda name: None)
    result = runner.invoke(args=["backup", "-o", str(tmp_path / "again")])
    assert result.exit_code != 0 and "ไม่พบคำสั่ง pg_dump" in result.output


def test_a_backup_of_the_other_kind_of_database_is_refused(seeded, tmp_path):
    (tmp_path / "approval.dump").write_bytes(b"x")
    digest = hashlib.sha256(b"x").hexdigest()
    kind = "postgresql" if seeded.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "sqlite"
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"kind": kind, "database": "approval.dump", "sha256": digest, "files": None}), encoding="utf-8")
    result = seeded.test_cli_runner().invoke(args=["restore", str(tmp_path), "--yes"])
    assert result.exit_code != 0 and "ข้อมูลสำรองนี้เป็นของฐานข้อมูล" in result.output
