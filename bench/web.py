"""Web speed: SQL queries per page, in-process latency, and gunicorn throughput.

    .venv/bin/python bench/web.py [--memos 10000] [--database-url URL]

With 10,000 memos in the database: the inbox and the memo page each issue at most 8 SQL
queries (whatever the size), serve a median under 20 ms in process; under gunicorn with
2 workers the inbox's throughput is compared with a hello-world route (/healthz).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa
from flask_migrate import upgrade

from approval import create_app
from approval.extensions import db

PASSWORD = "bench-pass-123"
SUBJECTS = ["ขออนุมัติจัดซื้อวัสดุสำนักงาน", "รายงานผลการดำเนินงานโครงการ", "ขอความเห็นชอบแผนปฏิบัติงาน",
            "ขออนุญาตเดินทางไปราชการ", "รายงานการประชุมประจำเดือน", "ขออนุมัติเบิกค่าใช้จ่าย"]


def populate(n: int) -> None:
    """Bulk-insert n memos of the reference organisation: a third waiting for `head`."""
    from approval.models import Memo, User

    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    legal, head, deputy, mayor = users["legal"], users["head"], users["deputy"], users["mayor"]
    org_id = legal.organization_id
    now = dt.datetime.now(dt.UTC)
    memo_rows, step_rows, event_rows = [], [], []
    start_id = (db.session.scalar(sa.select(sa.func.max(Memo.id))) or 0) + 1
    for i in range(n):
        memo_id = start_id + i
        kind = i % 3  # 0: pending at head, 1: pending at deputy, 2: decided
        state = "decided" if kind == 2 else "in_review"
        memo_rows.append({
            "id": memo_id, "organization_id": org_id, "author_id": legal.id, "state": state,
            "number": f"นศ ๗๓๖๐๑/{i + 1}", "number_year": 2569, "number_seq": i + 1,
            "department": "สำนักปลัด องค์การบริหารส่วนตำบลขอนหาด", "date": dt.date(2026, 1, 1) + dt.timedelta(days=i % 300),
            "subject": f"{random.choice(SUBJECTS)} ครั้งที่ {i}", "addressee": "นายกองค์การบริหารส่วนตำบลขอนหาด",
            "sections": [{"title": "เรื่องเดิม", "body": "ข้อความทดสอบ " * 20}], "closing": "จึงเรียนมาเพื่อโปรดทราบ",
            "round": 1, "version": 3, "current_step": None if kind == 2 else kind + 1,
            "pending_assignee_id": None if kind == 2 else (head.id if kind == 0 else deputy.id),
            "decision": "approve" if kind == 2 else None, "decided_at": now if kind == 2 else None,
            "created_at": now - dt.timedelta(minutes=i), "updated_at": now - dt.timedelta(minutes=i),
        })
        for seq, who, title, skind in ((1, head, "ความเห็นหัวหน้าส่วนราชการ", "opinion"),
                                       (2, deputy, "ความเห็นปลัด", "opinion"), (3, mayor, "คำสั่งนายก", "order")):
            if kind == 2 or seq <= kind:
                status, signed = "done", now
            elif seq == kind + 1:
                status, signed = "pending", None
            else:
                status, signed = "waiting", None
            step_rows.append({
                "organization_id": org_id, "memo_id": memo_id, "round": 1, "seq": seq, "title": title,
                "kind": skind, "assignee_id": who.id, "status": status, "comment": "เห็นควรทราบ" if signed else "",
                "signed_at": signed, "confirmed": bool(signed), "decision": ("approve" if skind == "order" else "forward") if signed else None,
            })
        for action in ("create", "submit"):
            event_rows.append({
                "organization_id": org_id, "memo_id": memo_id, "actor_id": legal.id, "action": action,
                "from_state": "draft", "to_state": "in_review", "comment": "", "data": {}, "at": now,
                "prev_hash": "0" * 64, "hash": secrets.token_hex(32),
            })
    from approval.models import Event, Step

    db.session.execute(sa.insert(Memo.__table__), memo_rows)
    db.session.execute(sa.insert(Step.__table__), step_rows)
    db.session.execute(sa.insert(Event.__table__), event_rows)
    db.session.commit()


class QueryCounter:
    def __init__(self, engine):
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._on)

    def _on(self, *args, **kwargs):
        self.count += 1


def login(client, username: str) -> None:
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code


def measure(client, counter: QueryCounter, url: str, runs: int = 200) -> tuple[int, float]:
    client.get(url)  # warm
    counter.count = 0
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = counter.count
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
    return queries, statistics.median(times)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def throughput(port: int, path: str, cookie: str, seconds: float = 4.0, clients: int = 8) -> float:
    stop = time.perf_counter() + seconds
    counts = [0] * clients

    def run(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.perf_counter() < stop:
            conn.request("GET", path, headers={"Cookie": cookie})
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                raise RuntimeError(f"{path}: {r.status}")
            counts[i] += 1
        conn.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - t0)


def gunicorn_login(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/login")
    r = conn.getresponse()
    body = r.read().decode()
    cookie = r.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)
    from urllib.parse import urlencode

    conn.request("POST", "/login", body=urlencode({"username": "head", "password": PASSWORD, "csrf_token": token}),
                 headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    r = conn.getresponse()
    r.read()
    assert r.status in (302, 303), r.status
    return r.getheader("Set-Cookie", "").split(";")[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memos", type=int, default=10_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        from approval.cli import seed_demo

        seed_demo(PASSWORD)
        t0 = time.perf_counter()
        populate(args.memos)
        print(f"database: {db.engine.dialect.name}, {args.memos:,} memos inserted in {time.perf_counter() - t0:.1f} s")
        memo_id = db.session.scalar(sa.text("SELECT min(id) FROM memo WHERE pending_assignee_id IS NOT NULL"))
        counter = QueryCounter(db.engine)
        db.session.remove()
    client = app.test_client()
    login(client, "head")
    print(f"{'page':<22}{'SQL queries':>12}{'median ms':>12}")
    for name, path in (("inbox", "/inbox"), ("memo page", f"/memos/{memo_id}"), ("hello (/healthz)", "/healthz")):
        with app.app_context():
            queries, median = measure(client, counter, path)
        print(f"{name:<22}{queries:>12}{median:>12.2f}")

    port = free_port()
    env = {**os.environ, "DATABASE_URL": args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
           "SECRET_KEY": "bench-secret", "APP_ENV": "production", "SESSION_COOKIE_SECURE": "0"}
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        cookie = gunicorn_login(port)
        throughput(port, "/healthz", cookie, seconds=1)  # warm both workers
        throughput(port, "/inbox", cookie, seconds=1)
        hello = throughput(port, "/healthz", cookie)
        inbox = throughput(port, "/inbox", cookie)
        print(f"gunicorn -w 2: hello {hello:,.0f} req/s, inbox {inbox:,.0f} req/s, ratio {inbox / hello:.2f} (target >= 0.3)")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
