"""flask verify-archive: every stored PDF against its SHA-256, every event hash chain."""

from __future__ import annotations

import sys

import click
from flask import Flask

from ..extensions import db


def register(app: Flask) -> None:
    @app.cli.command("verify-archive")
    @click.option("--org", "organization_id", type=int, default=None, help="Only this organisation (id).")
    def verify_archive_command(organization_id):
        """Recompute PDF SHA-256s and event hash chains, check the signed checkpoints; print each mismatch, exit 1 if any."""
        import sqlalchemy as sa

        from ..models import Memo, Organization
        from ..services import archive, archive_view
        from ..transaction import commit

        orgs = list(db.session.scalars(sa.select(Organization).where(
            Organization.id == organization_id if organization_id is not None else sa.true())))
        through = {org.id: archive_view.last_document_id(db.session, org.id) for org in orgs}
        problems = archive.verify_archive(db.session, organization_id)
        # remembered per organisation, so its archive page says "ตรวจสอบแล้ว ถูกต้อง" and when
        owners = dict(db.session.execute(sa.select(Memo.id, Memo.organization_id).where(
            Memo.id.in_({p.memo_id for p in problems if p.memo_id is not None}))).all())
        for org in orgs:
            mine = [p for p in problems if p.memo_id is not None and owners.get(p.memo_id) == org.id]
            whole = [p for p in problems if p.memo_id is None]  # not tied to a memo: the org is not "ok"
            archive_view.record_integrity_check(db.session, org, (p.memo_id for p in mine), through[org.id],
                                                ok=not mine and not whole)
        commit(db.session)
        for problem in problems:
            click.echo(str(problem))
        if problems:
            click.echo(f"พบความผิดปกติ {len(problems)} รายการ", err=True)
            sys.exit(1)
        click.echo("แฟ้มเอกสารครบถ้วน: PDF ตรงกับ SHA-256 และห่วงโซ่เหตุการณ์ไม่ถูกแก้ไข")
