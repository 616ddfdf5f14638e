"""What the memo page costs: SQL statements and CPU milliseconds per request, by kind of memo.

    .venv/bin/python bench/memo_page.py [--requests 300] [--repeat 3] [--cprofile signed]
                                        [--only KIND] [--gc-freeze] [--verbose] [postgresql://...]

Builds a throw-away database (a fresh SQLite file, or the PostgreSQL database named, whose schema
``public`` is dropped and made again) with the demo data, and brings four memos to where the
page differs most:

* ``signed``  -- the reference memo (its 49-project plan report attached) through the whole chain
  with digital signatures: head forward, deputy forward, mayor order (decided, sealed PDF);
* ``review``  -- a memo in review with one step signature (head forwarded; waits for the deputy);
* ``submitted`` -- a memo just submitted, nothing signed yet (waits for the head);
* ``draft``   -- a draft (only its author sees it).

Then, in this process (Flask test client), for each page and each viewer who may see it (the
mayor and the records officer, the signer whose turn it is; the author for the draft): the SQL statements of one request and
the CPU time per request (``time.process_time`` over ``--requests`` requests after 20 warm ones,
the least of ``--repeat`` rounds: the machine is shared).
``--cprofile KIND`` prints cProfile's top 25 functions (cumulative) of the first viewer of KIND
(BENCH_SORT=tottime to sort otherwise, BENCH_FILTER=regex to keep only some functions).
No timed assertions: figures only.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-pass-2567"
KINDS = ("signed", "review", "submitted", "draft")
VIEWERS = {"signed": ("mayor", "records"), "review": ("mayor", "records", "deputy"),
           "submitted": ("head", "mayor"), "draft": ("legal",)}


def build(url: str, secret: str, root: Path) -> dict[str, int]:
    """The demo data and the three memos; kind -> memo id."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from approval import create_app
    from approval.cli import seed_demo
    from approval.demo import reference
    from approval.extensions import db
    from approval.models import Memo, User
    from approval.services import memos

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "RATELIMIT_ENABLED": False,
                      "APP_ENV": "testing", "STORAGE_DIR": str(root / "files")})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        seed_demo(PASSWORD)
        people = {u.username: u for u in db.session.scalars(sa.select(User))}
        legal = people["legal"]

        def act(memo, username: str, action: str) -> None:
            memos.act(db.session, memo, people[username], action, comment="เห็นควรนำเสนอ",
                      decision="approve", password=PASSWORD)
            db.session.commit()

        signed = db.session.scalar(sa.select(Memo).where(Memo.author_id == legal.id).order_by(Memo.id))
        t0 = time.perf_counter()
        for username, action in [("legal", "submit"), ("head", "forward"), ("deputy", "forward"),
                                 ("mayor", "order")]:
            act(signed, username, action)
        review = memos.create_memo(db.session, legal, reference.MEMO)
        db.session.commit()
        act(review, "legal", "submit")
        act(review, "head", "forward")
        submitted = memos.create_memo(db.session, legal, reference.MEMO)
        db.session.commit()
        act(submitted, "legal", "submit")
        draft = memos.create_memo(db.session, legal, reference.MEMO)
        db.session.commit()
        ids = {"signed": signed.id, "review": review.id, "submitted": submitted.id, "draft": draft.id}
        print(f"database: {db.engine.dialect.name}; memos driven in {time.perf_counter() - t0:.1f} s "
              f"(signed memo {signed.state.value}, review memo {review.state.value})", flush=True)
        db.session.remove()
        db.engine.dispose()
    return ids


def measure(url: str, secret: str, ids: dict[str, int], args) -> list[tuple]:
    import sqlalchemy as sa

    from approval import create_app
    from approval.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "APP_ENV": "production", "SESSION_COOKIE_SECURE": False,
                      "SHED_MAX_IN_FLIGHT": 0})
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda c, cur, stmt, *a: statements.append(stmt))
    clients = {}

    def client_of(username: str):
        if username not in clients:
            client = app.test_client()
            if client.post("/login", data={"username": username, "password": PASSWORD}).status_code not in (302, 303):
                raise SystemExit(f"sign-in of {username} failed")
            clients[username] = client
        return clients[username]

    if args.gc_freeze:  # as a gunicorn worker does after its preload (gunicorn.conf.py)
        from approval.pdf.process import configure_process

        configure_process(preload=True)
    rows = []
    base = None
    healthz = app.test_client()
    for _ in range(20):
        healthz.get("/healthz")
    for _ in range(args.repeat):
        cpu0 = time.process_time()
        for _ in range(args.requests):
            healthz.get("/healthz")
        spent = 1000 * (time.process_time() - cpu0) / args.requests
        base = spent if base is None else min(base, spent)
    rows.append(("healthz", "-", "/healthz", 0, base, 0))
    for kind in args.only or KINDS:
        path = f"/memos/{ids[kind]}"
        for n, username in enumerate(VIEWERS[kind]):
            client = client_of(username)
            first = client.get(path)
            if first.status_code != 200:
                rows.append((kind, username, path, None, None, first.status_code))
                continue
            for _ in range(20):  # warm
                client.get(path)
            statements.clear()
            size = len(client.get(path).data)
            queries = len(statements)
            if args.verbose:
                for s in statements:
                    print("   ", " ".join(s.split())[:220])
            profiler = cProfile.Profile() if args.cprofile == kind and n == 0 else None
            if profiler:
                profiler.enable()
            cpu = None
            for _ in range(args.repeat):  # the least of the rounds: the machine is shared
                cpu0 = time.process_time()
                for _ in range(args.requests):
                    client.get(path)
                spent = 1000 * (time.process_time() - cpu0) / args.requests
                cpu = spent if cpu is None else min(cpu, spent)
                if profiler:
                    break
            if profiler:
                profiler.disable()
                print(f"\ncProfile of {args.requests} requests to {path} as {username}:")
                stats = pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative"))
                # BENCH_FILTER: a regular expression the functions' file:line(name) must match
                stats.print_stats(*([os.environ["BENCH_FILTER"]] if os.environ.get("BENCH_FILTER") else []), 25)
            rows.append((kind, username, path, queries, cpu, size))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url", nargs="?", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of --requests; the least CPU time is shown")
    parser.add_argument("--cprofile", choices=KINDS)
    parser.add_argument("--only", action="append", choices=KINDS, help="measure only this kind (repeatable)")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="preload and gc.freeze() first, as gunicorn's post_worker_init does")
    parser.add_argument("--verbose", action="store_true", help="print each page's SQL statements")
    args = parser.parse_args()
    if args.requests < 200:
        parser.error("--requests must be at least 200")
    root = Path(tempfile.mkdtemp(prefix="bench-memo-page-"))
    url = args.database_url or f"sqlite:///{root / 'bench.sqlite3'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    secret = "bench-secret-" + os.urandom(8).hex()
    ids = build(url, secret, root)
    rows = measure(url, secret, ids, args)
    base = rows[0][4]
    print(f"\nmemo page in process (Flask test client), least CPU of {args.repeat} rounds of {args.requests} requests; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'page':<11}{'viewer':<9}{'path':<12}{'SQL':>5}{'CPU ms':>9}{'bytes':>9}{'healthz/page':>14}")
    for kind, viewer, path, queries, cpu, size in rows:
        if queries is None:
            print(f"{kind:<11}{viewer:<9}{path:<12}{'':>5}{'':>9}{'':>9}   (answers {size})")
            continue
        ratio = base / cpu if cpu else 1.0
        print(f"{kind:<11}{viewer:<9}{path:<12}{queries:>5}{cpu:>9.2f}{size:>9,}{ratio:>14.3f}")


if __name__ == "__main__":
    main()
