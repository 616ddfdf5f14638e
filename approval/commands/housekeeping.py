"""flask purge-expired: delete old session records and forgotten sign-in throttles."""

from __future__ import annotations

import click
from flask import Flask

from ..extensions import db


def register(app: Flask) -> None:
    @app.cli.command("purge-expired")
    def purge_expired_command():
        """Delete sessions ended over 90 days ago and throttles untouched for a day (also run daily by the worker)."""
        from ..services import housekeeping
        from ..transaction import commit

        counts = housekeeping.purge(db.session)
        commit(db.session)
        click.echo(f"ลบบันทึกการเข้าสู่ระบบที่หมดอายุ {counts['sessions']} รายการ "
                   f"และตัวนับการใส่รหัสผิดที่พ้นกำหนด {counts['throttles']} รายการ")
