"""``flask notify-worker [--once]`` and ``flask remind``."""

from __future__ import annotations

import time

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    @app.cli.command("notify-worker")
    @click.option("--once", is_flag=True, help="Deliver everything due now, then exit.")
    @click.option("--workers", type=int, default=None, help="Worker threads (default NOTIFY_WORKERS).")
    def notify_worker(once, workers):
        """Deliver notifications by e-mail and LINE: the job queue's consumer (with its periodic tasks)."""
        from flask import current_app

        from ..extensions import db
        from .delivery import deliver_due
        from .queue import get_queue

        queue = get_queue(current_app._get_current_object())
        if once:
            started = time.monotonic()
            counts = deliver_due(db.session)
            click.echo(f"ส่งแล้ว {counts['sent']} รายการ, รอส่งใหม่ {counts['retry']}, ข้าม {counts['skipped']} "
                       f"({time.monotonic() - started:.2f} วินาที)")
            return
        import logging

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        queue.enqueue_due()  # whatever waited while no worker ran
        consumer = queue.huey.create_consumer(
            workers=workers or current_app.config["NOTIFY_WORKERS"], worker_type="thread", periodic=True,
            check_worker_health=True,
        )
        click.echo(f"notify-worker: {type(queue.huey).__name__} ({current_app.config.get('HUEY_URL') or 'instance/huey.sqlite3'})")
        consumer.run()

    @app.cli.command("remind")
    def remind():
        """Queue the reminders due today (for cron; the worker also runs it by itself)."""
        from flask import current_app

        from ..extensions import db
        from ..transaction import commit
        from .queue import get_queue
        from .reminders import queue_reminders

        started = time.monotonic()
        counts = queue_reminders(db.session)
        commit(db.session)
        enqueued = get_queue(current_app._get_current_object()).enqueue(counts["delivery_ids"])
        click.echo(f"งานค้าง {counts['pending_steps']} ขั้น, ถึงกำหนดเตือน {counts['due']}, "
                   f"เตือนใหม่ {counts['queued']} รายการ, ส่งต่อ {enqueued} รายการ "
                   f"({time.monotonic() - started:.2f} วินาที)")
