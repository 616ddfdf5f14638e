"""Reminders at scale: 10,000 pending steps, ``flask remind`` under 2 s, each reminder queued once.

    .venv/bin/python bench/remind.py [--steps 10000] [--database-url URL]

A fresh database (a temporary SQLite file unless --database-url) with the demo data and
`--steps` memos in review, pending with head, deputy or mayor for 0 to 14 calendar days; the
signers have e-mail on, so each reminder also writes its delivery and goes onto the job queue
(Huey on SQLite storage, as with `make run`). `remind` runs twice: the second run queues nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa
from flask_migrate import upgrade

from approval import create_app
from approval.extensions import db

PASSWORD = "bench-pass-123"


def populate(n: int) -> None:
    """Bulk-insert n memos in review, each with its three steps, one of them pending."""
    from approval.models import Memo, Step, User
    from approval.notifications import service

    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    legal, chain = users["legal"], [users["head"], users["deputy"], users["mayor"]]
    for person in chain:
        service.update_settings(db.session, person, {"email": f"{person.username}@khonhad.go.th",
                                                     "channels": {"email": True, "line": False}})
    org_id = legal.organization_id
    now = dt.datetime.now(dt.UTC)
    memo_rows, step_rows = [], []
    start_id = (db.session.scalar(sa.select(sa.func.max(Memo.id))) or 0) + 1
    for i in range(n):
        memo_id, at = start_id + i, i % 3
        since = now - dt.timedelta(days=i % 15, minutes=i % 600)
        memo_rows.append({
            "id": memo_id, "organization_id": org_id, "author_id": legal.id, "state": "in_review",
            "number": f"นศ ๗๓๖๐๑/{i + 1}", "number_year": 2569, "number_seq": i + 1,
            "department": "สำนักปลัด", "date": dt.date(2026, 1, 1), "subject": f"เรื่องทดสอบการเตือน ครั้งที่ {i}",
            "addressee": "นายก", "sections": [{"title": "เรื่องเดิม", "body": "ทดสอบ"}],
            "closing": "จึงเรียนมาเพื่อโปรดทราบ", "round": 1, "version": 2, "current_step": at + 1,
            "pending_assignee_id": chain[at].id, "created_at": since, "updated_at": since,
        })
        for seq, who in enumerate(chain, start=1):
            status = "done" if seq <= at else ("pending" if seq == at + 1 else "waiting")
            step_rows.append({
                "organization_id": org_id, "memo_id": memo_id, "round": 1, "seq": seq, "title": f"ขั้นที่ {seq}",
                "kind": "order" if seq == 3 else "opinion", "assignee_id": who.id, "status": status,
                "comment": "", "signed_at": since if status == "done" else None, "confirmed": status == "done",
                "decision": "forward" if status == "done" else None,
            })
    db.session.execute(sa.insert(Memo.__table__), memo_rows)
    db.session.execute(sa.insert(Step.__table__), step_rows)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-remind-"))
    url = args.database_url or f"sqlite:///{workdir / 'remind.sqlite3'}"
    app = create_app({"APP_ENV": "testing", "SECRET_KEY": secrets.token_hex(8), "SQLALCHEMY_DATABASE_URI": url,
                      "STORAGE_DIR": str(workdir / "files"), "HUEY_URL": f"sqlite:///{workdir / 'huey.sqlite3'}"})
    from approval.cli import seed_demo
    from approval.notifications.models import Delivery, Notification
    from approval.notifications.queue import get_queue
    from approval.services import accounts

    accounts.use_fast_hasher()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        seed_demo(PASSWORD)
        populate(args.steps)
        db.session.remove()
    runner = app.test_cli_runner()
    print(f"remind over {args.steps:,} pending steps ({url.split(':')[0]})")
    timings = []
    for run in (1, 2):
        started = time.perf_counter()
        result = runner.invoke(args=["remind"])
        timings.append(time.perf_counter() - started)
        assert result.exit_code == 0, result.output
        print(f"  run {run}: {timings[-1]:.2f} s  -- {result.output.strip()}")
    with app.app_context():
        reminders = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
        keys = db.session.scalar(sa.select(sa.func.count(sa.distinct(Notification.dedupe_key))))
        deliveries = db.session.scalar(sa.select(sa.func.count()).select_from(Delivery))
        queued_jobs = get_queue(app).huey.pending_count()
        db.session.remove()
    print(f"  reminders written: {reminders:,} (distinct keys {keys:,}); deliveries: {deliveries:,}; "
          f"jobs on the queue: {queued_jobs:,}")
    ok = timings[0] < 2.0 and timings[1] < 2.0 and reminders == keys
    print("  OK: under 2 s, each reminder queued once" if ok else "  FAILED: over 2 s or a reminder queued twice")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
