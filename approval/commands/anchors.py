"""flask anchor-chain: a signed checkpoint of each organisation's event chains."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask

from ..extensions import db
from ..models import Organization


def register(app: Flask) -> None:
    @app.cli.command("anchor-chain")
    @click.option("--org", "organization_id", type=int, default=None, help="Only this organisation (id).")
    @click.option("--force", is_flag=True, help="Write a checkpoint even when nothing changed.")
    def anchor_chain_command(organization_id, force):
        """Checkpoint every organisation's chain heads: a row, and a line in AUDIT_ANCHOR_DIR (run from cron)."""
        from ..services import anchors
        from ..transaction import commit

        conf = anchors.settings()
        if conf.derived:
            click.echo("หมายเหตุ: ไม่ได้ตั้งค่า AUDIT_ANCHOR_KEY จึงใช้กุญแจที่สร้างจาก SECRET_KEY", err=True)
        query = sa.select(Organization.id).order_by(Organization.id)
        if organization_id is not None:
            query = query.where(Organization.id == organization_id)
        org_ids = list(db.session.scalars(query))
        if organization_id is not None and not org_ids:
            click.echo("ไม่พบหน่วยงานนี้", err=True)
            sys.exit(1)
        for org_id in org_ids:
            row = anchors.anchor(db.session, org_id, conf, force=force)
            commit(db.session)
            if row is None:
                click.echo(f"หน่วยงาน {org_id}: ไม่มีเหตุการณ์ใหม่ตั้งแต่จุดยึดล่าสุด")
            else:
                click.echo(f"หน่วยงาน {org_id}: จุดยึด #{row.seq} เหตุการณ์ล่าสุด {row.last_event_id} "
                           f"({row.event_count} เหตุการณ์) -> {conf.path(org_id)}")
