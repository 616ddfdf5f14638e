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
        from ..services import archive

        problems = archive.verify_archive(db.session, organization_id)
        for problem in problems:
            click.echo(str(problem))
        if problems:
            click.echo(f"พบความผิดปกติ {len(problems)} รายการ", err=True)
            sys.exit(1)
        click.echo("แฟ้มเอกสารครบถ้วน: PDF ตรงกับ SHA-256 และห่วงโซ่เหตุการณ์ไม่ถูกแก้ไข")
