"""The job queue: Huey, on SQLite storage under instance/ by default, on Redis when configured.

``HUEY_URL`` chooses the storage: unset -> ``SqliteHuey`` on ``instance/huey.sqlite3`` (what
``make run`` uses, no other service); ``redis://host:port/db`` -> ``RedisHuey``;
``memory://`` -> ``MemoryHuey`` (tests). The tasks:

* ``deliver(delivery_id)`` -- :func:`approval.notifications.delivery.deliver_one`; a failure
  is retried by Huey after the backoff the delivery row records (``RetryTask(delay=...)``).
* ``sweep`` (every minute) -- enqueues deliveries the queue does not hold: written while it
  was unreachable, or whose retry was lost with a worker; reclaims expired ``sending`` leases.
* ``remind`` (every hour on working days' office hours) and ``digest`` (daily, 16:30) --
  :mod:`approval.notifications.reminders`.

New deliveries are enqueued right after the transaction that wrote them commits (a session
event); nothing is enqueued for a transaction that rolled back, and a failed enqueue only
delays the message until the next sweep.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.exceptions import RetryTask
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

SWEEP_GRACE_SECONDS = 60
BATCH = 50  #: deliveries per job when many are enqueued at once
OUTBOX_KEY = "notify_outbox"


def make_huey(url: str | None, instance_path: str, name: str = "esaraban") -> SqliteHuey | RedisHuey | MemoryHuey:
    """The Huey of a configuration (see the module's docstring)."""
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, utc=True)
    if url and url.startswith("memory://"):
        return MemoryHuey(name, utc=True)
    filename = url.removeprefix("sqlite:///") if url and url.startswith("sqlite:///") else str(
        Path(instance_path) / "huey.sqlite3")
    return SqliteHuey(name, filename=filename, utc=True)


class Queue:
    """One app's Huey and its tasks, created on first use (``app.extensions["notify_queue"]``)."""

    def __init__(self, app: Flask):
        self.app = app
        self.huey = make_huey(app.config.get("HUEY_URL"), app.instance_path, app.config["HUEY_NAME"])
        huey = self.huey

        @huey.task(name="deliver")
        def deliver(delivery_id: int):
            from ..extensions import db
            from .delivery import deliver_one

            with app.app_context():
                try:
                    delay = deliver_one(db.session, delivery_id)
                finally:
                    db.session.remove()
            if delay is not None:
                raise RetryTask(f"delivery {delivery_id} failed", delay=delay)

        @huey.task(name="deliver_batch")
        def deliver_batch(delivery_ids: list[int]):
            """Many deliveries in one job (the reminders of a day); a failed one is retried on its own."""
            from ..extensions import db
            from .delivery import deliver_one

            with app.app_context():
                try:
                    for delivery_id in delivery_ids:
                        delay = deliver_one(db.session, delivery_id)
                        if delay is not None:
                            deliver.schedule(args=(delivery_id,), delay=delay)
                finally:
                    db.session.remove()

        @huey.periodic_task(crontab(minute="*"), name="sweep")
        def sweep():
            from ..extensions import db

            with app.app_context():
                try:
                    self.enqueue_due(grace=SWEEP_GRACE_SECONDS)
                finally:
                    db.session.remove()

        # Hourly from 08:00 to 16:00 Bangkok (01:00-09:00 UTC), Monday to Friday; the reminders
        # themselves skip holidays and remind once a day whatever the schedule.
        @huey.periodic_task(crontab(minute="5", hour="1-9", day_of_week="1-5"), name="remind")
        def remind():
            from ..extensions import db
            from ..transaction import commit
            from .reminders import queue_reminders

            with app.app_context():
                try:
                    counts = queue_reminders(db.session)
                    commit(db.session)
                    self.enqueue(counts["delivery_ids"])
                finally:
                    db.session.remove()

        @huey.periodic_task(crontab(minute="30", hour="9"), name="digest")  # 16:30 Bangkok
        def digest():
            from ..extensions import db
            from ..transaction import commit
            from .reminders import queue_digests

            with app.app_context():
                try:
                    queue_digests(db.session)
                    commit(db.session)
                    self.enqueue_due()
                finally:
                    db.session.remove()

        @huey.periodic_task(crontab(minute="0", hour="19"), name="purge")  # 02:00 Bangkok
        def purge():
            from ..extensions import db
            from ..services import housekeeping
            from ..transaction import commit

            with app.app_context():
                try:
                    housekeeping.purge(db.session)
                    commit(db.session)
                finally:
                    db.session.remove()

        self.deliver, self.deliver_batch = deliver, deliver_batch
        self.purge = purge
        self.sweep, self.remind, self.digest = sweep, remind, digest

    def enqueue(self, delivery_ids) -> int:
        """Put deliveries on the queue; a queue that cannot be reached is logged, not raised."""
        ids = [int(i) for i in delivery_ids]
        count = 0
        try:
            if len(ids) <= BATCH:
                for delivery_id in ids:
                    self.deliver(delivery_id)
                    count += 1
            else:  # thousands of reminders: one job per batch, not one write to the queue each
                for start in range(0, len(ids), BATCH):
                    self.deliver_batch(ids[start:start + BATCH])
                    count += len(ids[start:start + BATCH])
        except Exception:
            log.exception("could not enqueue deliveries; the sweep will pick them up")
        return count

    def enqueue_due(self, grace: float = 0) -> int:
        from ..extensions import db
        from .delivery import due_ids

        ids = due_ids(db.session, grace=grace)
        db.session.rollback()  # end the read: a long-lived worker holds no transaction open
        return self.enqueue(ids)


def get_queue(app: Flask | None = None) -> Queue:
    app = app or current_app._get_current_object()
    queue = app.extensions.get("notify_queue")
    if queue is None:
        queue = app.extensions["notify_queue"] = Queue(app)
    return queue


# --- enqueue after commit --------------------------------------------------------------------

def _collect(session: Session, _flush_context) -> None:
    from .models import Delivery

    new = [obj.id for obj in session.new if isinstance(obj, Delivery)]
    if new:
        session.info.setdefault(OUTBOX_KEY, []).extend(new)


def _after_commit(session: Session) -> None:
    ids = session.info.pop(OUTBOX_KEY, None)
    if ids and has_app_context():
        get_queue().enqueue(ids)


def _after_rollback(session: Session) -> None:
    session.info.pop(OUTBOX_KEY, None)


def install_session_hooks() -> None:
    """Enqueue the deliveries a transaction wrote once (and only if) it commits."""
    if not event.contains(Session, "after_flush", _collect):
        event.listen(Session, "after_flush", _collect)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
