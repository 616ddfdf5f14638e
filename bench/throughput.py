"""Throughput the standard way: wrk against gunicorn (2 workers), pages as ratios of hello-world.

    .venv/bin/python bench/throughput.py                    # SQLite (a fresh file)
    .venv/bin/python bench/throughput.py postgresql://postgres@127.0.0.1:5432/NAME   # PostgreSQL
    options: --memos 10000  --duration 10  --threads 2  --connections 16  --repeat 3  --profile inbox|memo

Builds a database with 10,000 memos (bench/web.py's builder; on PostgreSQL the schema
``public`` of the database named is dropped and made again), starts gunicorn with the
project's gunicorn.conf.py (post_worker_init: the PDF process settings), signs in as the
head of office (a session cookie) and runs ``wrk -t2 -c16 -d10s`` against /healthz, the
inbox and a memo page waiting for that person, one after the other in the same run, in
``--repeat`` interleaved rounds (3): each page's median round is reported, and every round's
req/s and ratio are printed (on a shared virtual machine one 10-second run may be half as fast
as the next).
Prints req/s, latency (p50, p99) and the ratios inbox/healthz and memo/healthz
(targets: >= 0.25 and >= 0.15).  wrk is installed with apt-get when missing.

``--profile inbox`` (or ``memo``) also records one worker with py-spy while wrk runs
against that page and prints the top functions (py-spy from requirements-dev.txt).

Before wrk, the same pages are measured in process (Flask test client, one process): SQL
statements per request and CPU milliseconds per request (time.process_time over
``--requests`` requests), and the CPU ratio healthz/page, which is what the wrk ratio tends
to on an idle machine and stays meaningful on a busy one. ``--cprofile inbox`` prints
cProfile's top functions for those requests. ``--in-process-only`` skips gunicorn and wrk.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGETS = {"inbox": 0.25, "memo": 0.15}


def ensure_wrk() -> str:
    """The wrk binary, installed from the distribution when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found: apt-get install -y wrk", flush=True)
    if subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update"], stdout=subprocess.DEVNULL, check=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], stdout=subprocess.DEVNULL, check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed")
    return found


def build(url: str, memos: int, secret: str) -> int:
    """A fresh database with the demo organisation and ``memos`` memos; the id of a memo waiting for head."""
    import sqlalchemy as sa
    from flask_migrate import upgrade
    from web import PASSWORD, populate

    from approval import create_app
    from approval.cli import seed_demo
    from approval.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "RATELIMIT_ENABLED": False})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        seed_demo(PASSWORD)
        t0 = time.perf_counter()
        populate(memos)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))
        print(f"database: {db.engine.dialect.name}, {memos:,} memos inserted in {time.perf_counter() - t0:.1f} s",
              flush=True)
        memo_id = db.session.scalar(sa.text(
            "SELECT min(m.id) FROM memo m JOIN user u ON u.id = m.pending_assignee_id WHERE u.username = 'head'"
            if db.engine.dialect.name == "sqlite" else
            'SELECT min(m.id) FROM memo m JOIN "user" u ON u.id = m.pending_assignee_id WHERE u.username = \'head\''))
        db.session.remove()
        db.engine.dispose()
    return memo_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 60) -> None:
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def _ms(value: str) -> float:
    """wrk's durations: 651.00us, 4.33ms, 1.02s, 1.50m, 2.00h."""
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if found is None:
        raise ValueError(f"wrk printed a duration this bench does not read: {value!r}")
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}[unit]


def run_wrk(wrk: str, port: int, path: str, cookie: str, args) -> dict:
    """One wrk run: req/s, mean/p50/p99 latency (ms), errors and non-2xx answers."""
    command = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
               "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if os.environ.get("BENCH_VERBOSE") or not re.search(r"50%\s+\S+", out):
        print(out)
    try:
        return _read_wrk(out)
    except (AttributeError, ValueError) as exc:
        raise SystemExit(f"{exc}; wrk printed:\n{out}") from None


def _read_wrk(out: str) -> dict:
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
              "mean": _ms(re.search(r"^\s*Latency\s+([\d.]+[a-z]+)", out, re.MULTILINE).group(1)),
              # Anchored: "63.99%" at the end of a Req/Sec line is not the 99th percentile.
              "p50": _ms(re.search(r"^\s*50%\s+(\S+)", out, re.MULTILINE).group(1)),
              "p99": _ms(re.search(r"^\s*99%\s+(\S+)", out, re.MULTILINE).group(1)),
              "requests": int(re.search(r"(\d+) requests in", out).group(1))}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    result["non2xx"] = int(bad.group(1)) if bad else 0
    result["errors"] = errors.group(0) if errors else ""
    return result


def median_rounds(rounds: dict[str, list[dict]]) -> dict:
    """Each page's run of median req/s among the rounds (the rounds interleave the pages, so a
    slow spell of the machine falls on all of them); every round printed."""
    results = {}
    for name, runs in rounds.items():
        ordered = sorted(runs, key=lambda r: r["rps"])
        results[name] = {**ordered[len(ordered) // 2], "non2xx": sum(r["non2xx"] for r in runs)}
        if len(runs) > 1:
            per_round = ", ".join(f"{r['rps']:,.0f}" for r in runs)
            print(f"{name}: req/s per round {per_round}")
    if len(next(iter(rounds.values()))) > 1:
        ratios = [{name: runs[i]["rps"] / rounds["healthz"][i]["rps"] for name, runs in rounds.items()}
                  for i in range(len(rounds["healthz"]))]
        for name in rounds:
            if name != "healthz":
                per_round = ", ".join(f"{r[name]:.3f}" for r in ratios)
                middle = sorted(r[name] for r in ratios)[len(ratios) // 2]
                print(f"{name}: ratio per round {per_round}; median {middle:.3f}")
    return results


def gunicorn_login(port: int, username: str = "head") -> str:
    """The session cookie of ``username`` signed in through the login form (CSRF token included)."""
    import http.client
    from urllib.parse import urlencode

    from web import PASSWORD

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)  # the first sign-in issues a key
    conn.request("GET", "/login")
    r = conn.getresponse()
    body = r.read().decode()
    cookie = r.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body).group(1)
    conn.request("POST", "/login", body=urlencode({"username": username, "password": PASSWORD, "csrf_token": token}),
                 headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    r = conn.getresponse()
    r.read()
    if r.status not in (302, 303):
        raise SystemExit(f"sign-in failed: {r.status}")
    cookies = [v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie"]
    cookie = "; ".join(c for c in cookies if c.startswith("session="))
    # As a browser does: follow the redirect and keep the cookie the first page sets (the
    # session then holds its CSRF token); wrk repeats one cookie, so a stale one would make
    # every answer write the session again.
    for _ in range(3):
        conn.request("GET", r.getheader("Location") or "/inbox", headers={"Cookie": cookie})
        r = conn.getresponse()
        r.read()
        fresh = [v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie"]
        fresh = [c for c in fresh if c.startswith("session=")]
        if fresh:
            cookie = fresh[-1]
        if r.status == 200:
            break
    return cookie


def check_page(port: int, path: str, cookie: str) -> int:
    """The page answers 200 with this cookie (not a redirect to the sign-in page); its size."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie})
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise SystemExit(f"{path}: {r.status} instead of 200")
    if any(k.lower() == "set-cookie" for k, _ in r.getheaders()):
        print(f"note: {path} sets a cookie on every request with this session (its cost is measured)")
    return len(body)


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], check=True, capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url", nargs="?", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--memos", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of the three runs, interleaved; the median round of each page is reported")
    parser.add_argument("--worker-class", default=None, help="gunicorn -k (default: gunicorn.conf.py's gthread)")
    parser.add_argument("--threads-per-worker", type=int, default=None, help="gunicorn --threads")
    parser.add_argument("--profile", choices=["inbox", "memo"])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--cprofile", choices=["healthz", "inbox", "memo"])
    parser.add_argument("--in-process-only", action="store_true")
    args = parser.parse_args()
    wrk = ensure_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    secret = "bench-secret-" + os.urandom(8).hex()
    memo_id = build(url, args.memos, secret)
    in_process(url, secret, {"healthz": "/healthz", "inbox": "/inbox", "memo": f"/memos/{memo_id}"}, args)
    if args.in_process_only:
        return

    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret,
           "APP_ENV": "production", "SESSION_COOKIE_SECURE": "0", "STORAGE_DIR": str(tmp / "files"),
           # Throughput, not shedding: with -c16 a worker may hold more than the production limit
           # of 8 at once, and its 503s would count as fast answers (bench/load.py measures shedding).
           "SHED_MAX_IN_FLIGHT": os.environ.get("SHED_MAX_IN_FLIGHT", "64")}
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn") if (ROOT / ".venv/bin/gunicorn").exists()
                               else str(Path(sys.executable).parent / "gunicorn"),
                               "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(args.workers),
                               *(["-k", args.worker_class] if args.worker_class else []),
                               *(["--threads", str(args.threads_per_worker)] if args.threads_per_worker else []),
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                              cwd=ROOT, env=env)
    pages = {"healthz": "/healthz", "inbox": "/inbox", "memo": f"/memos/{memo_id}"}
    results = {}
    try:
        wait_for(port)
        cookie = gunicorn_login(port)
        sizes = {name: check_page(port, path, cookie) for name, path in pages.items()}
        for path in pages.values():  # warm both workers on every page
            subprocess.run([wrk, "-t2", "-c4", "-d2s", "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}"],
                           capture_output=True, check=True)
        rounds: dict[str, list[dict]] = {name: [] for name in pages}
        for round_no in range(args.repeat):
            for name, path in pages.items():
                profiler = None
                if args.profile == name and round_no == 0:
                    pid = worker_pids(server.pid)[0]
                    svg = tmp / f"profile-{name}.txt"
                    profiler = subprocess.Popen([shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid), "--format", "raw",
                                                 "--duration", str(args.duration), "-o", str(svg), "--nonblocking"],
                                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                rounds[name].append(run_wrk(wrk, port, path, cookie, args))
                if profiler is not None:
                    profiler.wait(60)
                    print(f"py-spy profile (collapsed stacks) of one worker under /{name}: {svg}")
                    summarize_profile(svg)
        results = median_rounds(rounds)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(20)

    import sqlalchemy as sa

    dialect = sa.engine.make_url(url).get_backend_name()
    print(f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s, gunicorn -w {args.workers}, "
          f"{dialect}, {args.memos:,} memos, {os.cpu_count()} CPUs")
    print(f"{'page':<10}{'path':<16}{'bytes':>8}{'req/s':>10}{'mean ms':>10}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'ratio':>8}"
          f"{'target':>8}")
    hello = results["healthz"]["rps"]
    for name, path in pages.items():
        r = results[name]
        ratio = r["rps"] / hello
        target = TARGETS.get(name)
        mark = "" if target is None else f"{'>=' if ratio >= target else '<'}{target:.2f}"
        print(f"{name:<10}{path:<16}{sizes[name]:>8,}{r['rps']:>10,.0f}{r['mean']:>10.2f}{r['p50']:>9.2f}{r['p99']:>9.2f}"
              f"{r['non2xx']:>9}{ratio:>8.3f}{mark:>8}  {r['errors']}")
    if any(r["non2xx"] for r in results.values()):
        raise SystemExit("some answers were not 2xx: the figures are not valid")


def in_process(url: str, secret: str, pages: dict, args) -> None:
    """SQL statements and CPU ms per request of each page in this process; CPU ratios to healthz."""
    import cProfile
    import pstats

    import sqlalchemy as sa
    from web import PASSWORD

    from approval import create_app
    from approval.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "APP_ENV": "production", "SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    if client.post("/login", data={"username": "head", "password": PASSWORD}).status_code not in (302, 303):
        raise SystemExit("in-process sign-in failed")
    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
    rows = {}
    for name, path in pages.items():
        for _ in range(20):  # warm
            assert client.get(path).status_code == 200, path
        statements.clear()
        client.get(path)
        queries = len(statements)
        profiler = cProfile.Profile() if args.cprofile == name else None
        if profiler:
            profiler.enable()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for _ in range(args.requests):
            client.get(path)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        if profiler:
            profiler.disable()
            print(f"cProfile of {args.requests} requests to {path}:")
            pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(35)
        rows[name] = (path, queries, 1000 * cpu / args.requests, 1000 * wall / args.requests)
    print(f"\nin process (Flask test client), {args.requests} requests per page")
    print(f"{'page':<10}{'path':<16}{'SQL':>5}{'CPU ms':>9}{'wall ms':>9}{'CPU ratio':>11}{'target':>8}")
    base = rows["healthz"][2]
    for name, (path, queries, cpu, wall) in rows.items():
        target = TARGETS.get(name)
        ratio = base / cpu
        mark = "" if target is None else f"{'>=' if ratio >= target else '<'}{target:.2f}"
        print(f"{name:<10}{path:<16}{queries:>5}{cpu:>9.2f}{wall:>9.2f}{ratio:>11.3f}{mark:>8}", flush=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def summarize_profile(path: Path, top: int = 25) -> None:
    """Self and inclusive sample counts per function from py-spy's collapsed stacks."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        frames = stack.split(";")
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + n
        own[frames[-1]] = own.get(frames[-1], 0) + n
    print(f"{total} samples; top inclusive:")
    for frame, n in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {100 * n / total:5.1f}%  {frame[:150]}")
    print("top self:")
    for frame, n in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {100 * n / total:5.1f}%  {frame[:150]}")


if __name__ == "__main__":
    main()
