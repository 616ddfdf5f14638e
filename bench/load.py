"""Many offices at once: a Locust load test against gunicorn + PostgreSQL + Redis (issue 20, item 3).

    .venv/bin/python bench/load.py [--database-url postgresql://postgres@127.0.0.1:5432/wt_load_bench]
        [--users 50,200] [--time 90s] [--orgs 20] [--memos 2000] [--workers 2] [--redis-db 9]
        [--reuse]   # keep the prepared database of an earlier run (skip the load)

1. Prepares the PostgreSQL database (dropped and migrated): ``--orgs`` organisations, each with
   six writers, a chain head -> deputy -> mayor (opinion, opinion, order), a records officer;
   one memo per organisation taken through the real chain (services, signatures, frozen PDF),
   then ``--memos`` decided memos per organisation copied from it with COPY (steps, events
   with their audit hashes recomputed, search text, a frozen document), not one ORM call each.
   API tokens for every person are issued here, so that the run does not start with a storm
   of sign-ins.
2. Starts gunicorn (``--workers``, gunicorn.conf.py) on a free port of 127.0.0.1, with rate
   limits and the job queue in Redis (127.0.0.1:6379/``--redis-db``).
3. For each count in ``--users``: Locust headless on 127.0.0.1 for ``--time``, each simulated
   person pausing 2-5 s between steps (bench/load/locustfile.py): write, submit, sign/forward
   with an opinion, return, order (and fetch the PDF), list the inbox and the archive, search,
   open a memo.
4. After each run: every memo's events against its state and steps (no transition lost or
   recorded twice), every action the clients saw succeed against the events recorded; prints
   requests/s, p50/p95/max per kind of request, the answers by status, the 409s (and 412s,
   the If-Match refusals of a stale inbox), the 503s of the load shedder.

The machine's other work makes the figures noisy: everything needed to judge them is printed.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa

PASSWORD = "load-pass-12345"
BIN = Path(sys.executable).parent
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
SUBJECTS = ["ขออนุมัติจัดซื้อวัสดุสำนักงาน", "รายงานผลการดำเนินงานโครงการก่อสร้างถนน", "ขอความเห็นชอบแผนปฏิบัติงานประจำปี",
            "ขออนุญาตเดินทางไปราชการต่างจังหวัด", "รายงานการประชุมประจำเดือน", "ขออนุมัติเบิกค่าใช้จ่ายในการฝึกอบรม",
            "ขอรับการสนับสนุนงบประมาณโครงการป้องกันยาเสพติด", "รายงานผลการตรวจสอบพัสดุประจำปี"]
WRITERS = 6
#: Every state change a person makes, and the one event each leaves.
ACTIONS = ("create", "submit", "forward", "return", "order")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- 1. the database ------------------------------------------------------------------------

def sa_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith("postgresql://") else url


def ensure_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def make_app(url: str, tmp: Path):
    from approval import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": sa_url(url), "SECRET_KEY": "load-bench-secret",
                       "APP_ENV": "production", "STORAGE_DIR": str(tmp / "files"),
                       "AUDIT_ANCHOR_DIR": str(tmp / "anchors"), "RATELIMIT_ENABLED": False,
                       "HUEY_URL": "memory://"})


def migrate(url: str, tmp: Path) -> None:
    """The prepared database upgraded to the code's migrations (with --reuse)."""
    from flask_migrate import upgrade

    with make_app(url, tmp).app_context():
        upgrade()


def prepare(url: str, tmp: Path, orgs: int, memos_per_org: int, full_documents: bool = False) -> dict:
    """The organisations, people, chains and decided memos; returns the accounts file's content."""
    from flask_migrate import upgrade

    from approval.extensions import db
    from approval.services import accounts, memos, organizations

    app = make_app(url, tmp)
    started = time.perf_counter()
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        log(f"migrated in {time.perf_counter() - started:.1f} s")
        people: dict = {"password": PASSWORD, "orgs": []}
        for o in range(orgs):
            org = organizations.create_org(db.session, name=f"องค์การบริหารส่วนตำบลทดสอบ {o + 1}",
                                           district="เมือง", province="นครศรีธรรมราช", prefix=f"นศ {73600 + o}")
            made = {}
            roles = [(f"o{o}.w{i}", f"นายผู้เขียน ที่{i} หน่วย{o}", "นิติกร", ["officer"]) for i in range(WRITERS)]
            roles += [(f"o{o}.head", f"นางสาวหัวหน้า หน่วย{o}", "หัวหน้าสำนักปลัด", ["reviewer"]),
                      (f"o{o}.deputy", f"นางปลัด หน่วย{o}", "ปลัดองค์การบริหารส่วนตำบล", ["reviewer"]),
                      (f"o{o}.mayor", f"นายนายก หน่วย{o}", "นายกองค์การบริหารส่วนตำบล", ["executive"]),
                      (f"o{o}.records", f"นางสาวสารบรรณ หน่วย{o}", "เจ้าพนักงานธุรการ", ["records"])]
            for username, name, position, role in roles:
                made[username] = organizations.create_user(db.session, org, username=username, full_name=name,
                                                           position=position, roles=role, password=PASSWORD)
            organizations.set_chain(db.session, org, [
                ("ความเห็นหัวหน้าสำนักปลัด", "opinion", made[f"o{o}.head"]),
                ("ความเห็นปลัด", "opinion", made[f"o{o}.deputy"]),
                ("คำสั่งนายก", "order", made[f"o{o}.mayor"]),
            ])
            db.session.commit()
            # One memo through the real chain: the rows every copy is made from.
            writer = made[f"o{o}.w0"]
            memo = memos.create_memo(db.session, writer, memo_fields(0))
            db.session.commit()
            for who, action in ((writer, "submit"), (made[f"o{o}.head"], "forward"),
                                (made[f"o{o}.deputy"], "forward"), (made[f"o{o}.mayor"], "order")):
                memos.act(db.session, memo, who, action, comment="เห็นควรอนุมัติ", decision="approve",
                          password=PASSWORD)
                db.session.commit()
            tokens = {}
            for username, user in made.items():
                token, _row = accounts.issue_token(db.session, user, hours=12)
                tokens[username] = token
            db.session.commit()
            people["orgs"].append({"id": org.id, "template_memo": memo.id, "tokens": tokens,
                                   "writer_ids": [made[f"o{o}.w{i}"].id for i in range(WRITERS)],
                                   "writers": [f"o{o}.w{i}" for i in range(WRITERS)],
                                   "head": f"o{o}.head", "deputy": f"o{o}.deputy", "mayor": f"o{o}.mayor",
                                   "records": f"o{o}.records"})
        log(f"{orgs} organisations with their people, chains and a signed memo each "
            f"in {time.perf_counter() - started:.1f} s")
        copied = time.perf_counter()
        copy_decided_memos(db.engine, people, memos_per_org, full_documents)
        log(f"copied {orgs * memos_per_org:,} decided memos (steps, events, search text, "
            f"{'their real frozen documents' if full_documents else 'a 0.6 KB stand-in document each'}) "
            f"in {time.perf_counter() - copied:.1f} s")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        counts = {}
        with db.engine.connect() as conn:
            for table in ("memo", "step", "event", "memo_search", "memo_document", "user"):
                counts[table] = conn.execute(sa.text(f'SELECT count(*) FROM "{table}"')).scalar()
        log("rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        db.session.remove()
        db.engine.dispose()
    log(f"prepared in {time.perf_counter() - started:.1f} s")
    return people


def memo_fields(i: int) -> dict:
    subject = SUBJECTS[i % len(SUBJECTS)]
    return {"department": "สำนักปลัด องค์การบริหารส่วนตำบลทดสอบ", "date": dt.date.today().isoformat(),
            "subject": f"{subject} ครั้งที่ {i}", "addressee": "นายกองค์การบริหารส่วนตำบล",
            "sections": [{"title": "เรื่องเดิม", "body": f"ตามที่สำนักปลัดได้ดำเนินการ{subject} ตามแผนงานประจำปี"},
                         {"title": "ข้อเท็จจริง", "body": "ได้ตรวจสอบเอกสารและงบประมาณแล้วเห็นว่าเป็นไปตามระเบียบ"},
                         {"title": "ข้อพิจารณา", "body": "จึงเห็นควรพิจารณาอนุมัติตามเสนอ"}],
            "closing": "จึงเรียนมาเพื่อโปรดพิจารณา"}


def _rows(conn, table: str, where: str, params: dict) -> tuple[list[str], list[dict]]:
    result = conn.execute(sa.text(f'SELECT * FROM "{table}" WHERE {where} ORDER BY id'), params)
    return list(result.keys()), [dict(r._mapping) for r in result]


def _copy(raw, table: str, columns: list[str], rows) -> None:
    cols = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c], ensure_ascii=False) if isinstance(row[c], (dict, list)) else row[c]
                            for c in columns])


def stand_in_pdf(memo_id: int, subject: str) -> bytes:
    """A small PDF standing for a copied memo's frozen document (the real one is ~94 KB: 40,000
    of them would be 3.7 GB; --full-documents copies them all the same)."""
    text = f"memo {memo_id}".encode()
    stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>"),
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def copy_decided_memos(engine, people: dict, per_org: int, full_documents: bool = False) -> None:
    """``per_org`` decided memos per organisation, copied from its template memo with COPY."""
    from approval.services import audit

    with engine.begin() as conn:
        next_id = {t: conn.execute(sa.text(f"SELECT coalesce(max(id), 0) + 1000 FROM {t}")).scalar()
                   for t in ("memo", "step", "event", "memo_document")}
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        rng = random.Random(20)
        today = dt.datetime.now(dt.UTC)
        for org in people["orgs"]:
            with engine.connect() as conn:
                memo_cols, (memo,) = _rows(conn, "memo", "id = :id", {"id": org["template_memo"]})
                step_cols, steps = _rows(conn, "step", "memo_id = :id", {"id": org["template_memo"]})
                event_cols, events = _rows(conn, "event", "memo_id = :id", {"id": org["template_memo"]})
                doc_cols, (doc,) = _rows(conn, "memo_document", "memo_id = :id", {"id": org["template_memo"]})
                search_text = conn.execute(sa.text("SELECT text FROM memo_search WHERE memo_id = :id"),
                                           {"id": org["template_memo"]}).scalar()
            writer_ids = org["writer_ids"]
            new_memos, new_steps, new_events, new_docs, new_search = [], [], [], [], []
            for n in range(per_org):
                memo_id = next_id["memo"]
                next_id["memo"] += 1
                shift = dt.timedelta(days=rng.randint(30, 700), minutes=rng.randint(0, 600))
                subject = f"{SUBJECTS[n % len(SUBJECTS)]} ฉบับที่ {n + 1}"
                new_memos.append({**memo, "id": memo_id, "author_id": writer_ids[n % len(writer_ids)],
                                  "number_year": memo["number_year"] - 1 - n // 5000, "number_seq": n % 5000 + 1,
                                  "number": f"{memo['number'].split('/')[0]}/{n + 1}", "subject": subject,
                                  "date": (today - shift).date(), "created_at": memo["created_at"] - shift,
                                  "updated_at": memo["updated_at"] - shift,
                                  "decided_at": memo["decided_at"] - shift if memo["decided_at"] else None,
                                  "archived_at": memo["archived_at"] - shift if memo["archived_at"] else None})
                for s in steps:
                    new_steps.append({**s, "id": next_id["step"], "memo_id": memo_id,
                                      "signed_at": s["signed_at"] - shift if s["signed_at"] else None})
                    next_id["step"] += 1
                prev = audit.GENESIS
                for e in events:
                    row = {**e, "id": next_id["event"], "memo_id": memo_id, "at": e["at"] - shift}
                    if row["action"] == "create":
                        row["data"] = e["data"]
                    content = {k: row[k] for k in ("organization_id", "memo_id", "actor_id", "action", "from_state",
                                                   "to_state", "round", "step", "comment", "data", "at")}
                    content["data"] = content["data"] or {}
                    row["prev_hash"], row["hash"] = prev, audit.compute_hash(prev, content)
                    prev = row["hash"]
                    new_events.append(row)
                    next_id["event"] += 1
                content = doc["content"] if full_documents else stand_in_pdf(memo_id, subject)
                new_docs.append({**doc, "id": next_id["memo_document"], "memo_id": memo_id,
                                 "created_at": doc["created_at"] - shift, "content": content,
                                 "sha256": hashlib.sha256(content).hexdigest()})
                next_id["memo_document"] += 1
                new_search.append({"memo_id": memo_id, "organization_id": org["id"],
                                   "text": search_text.replace(memo["subject"], subject)})
            _copy(driver, "memo", memo_cols, new_memos)
            _copy(driver, "step", step_cols, new_steps)
            _copy(driver, "event", event_cols, new_events)
            _copy(driver, "memo_document", doc_cols, new_docs)
            _copy(driver, "memo_search", ["memo_id", "organization_id", "text"], new_search)
            org["decided_ids"] = [new_memos[0]["id"], new_memos[-1]["id"]]
        driver.commit()
        with driver.cursor() as cur:
            for table in ("memo", "step", "event", "memo_document"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        driver.commit()
    finally:
        raw.close()


# --- 2. the server ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, tmp: Path, workers: int, redis_db: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load-bench-secret", "APP_ENV": "production",
           "SESSION_COOKIE_SECURE": "0", "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{redis_db}",
           "HUEY_URL": f"redis://127.0.0.1:6379/{redis_db}", "STORAGE_DIR": str(tmp / "files"),
           "AUDIT_ANCHOR_DIR": str(tmp / "anchors")}
    log_file = open(tmp / "gunicorn.log", "ab")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(workers),
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=log_file, stderr=log_file)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {tmp / 'gunicorn.log'}")
            time.sleep(0.1)
    # Both workers warm (fonts, dictionary, templates: gunicorn.conf.py) before the clock starts.
    import urllib.request

    deadline = time.time() + 120
    answered = 0
    while answered < 4 * workers and time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as response:
                answered += response.status == 200
        except OSError:
            time.sleep(0.2)
    log(f"gunicorn -w {workers} on 127.0.0.1:{port} (pid {server.pid}), Redis db {redis_db}")
    return server, port


def flush_redis(redis_db: int) -> None:
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=redis_db).flushdb()


# --- 3. the run ----------------------------------------------------------------------------

def run_locust(port: int, users: int, seconds: str, accounts: Path, out: Path, tmp: Path) -> None:
    env = {**os.environ, "LOAD_ACCOUNTS": str(accounts), "LOAD_OUT": str(out)}
    rate = max(5, users // 10)
    command = [str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "-u", str(users), "-r", str(rate),
               "-t", seconds, "--host", f"http://127.0.0.1:{port}", "--only-summary", "--stop-timeout", "15",
               "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    log(f"locust: {users} users, {rate}/s spawned, for {seconds}: {' '.join(command[1:])}")
    with open(tmp / f"locust-{users}.log", "wb") as handle:
        subprocess.run(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


PAGES = ("page inbox", "page archive", "page search", "page memo", "api inbox", "api list")


def report(users: int, out: Path) -> dict:
    data = json.loads(out.read_text())
    seconds = data["seconds"]
    kinds = data["requests"]
    total = sum(len(v["times"]) for v in kinds.values())
    statuses = collections.Counter()
    print(f"\n=== {users} users, {seconds:.0f} s measured ===")
    print(f"{'request':<16}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  statuses")
    for name in sorted(kinds):
        times = kinds[name]["times"]
        codes = collections.Counter({int(k): v for k, v in kinds[name]["statuses"].items()})
        statuses.update(codes)
        print(f"{name:<16}{len(times):>7}{pct(times, 50):>9.0f}{pct(times, 95):>9.0f}{max(times or [0]):>9.0f}  "
              + " ".join(f"{k}:{v}" for k, v in sorted(codes.items())))
    everything = [t for v in kinds.values() for t in v["times"]]
    pages = [t for n in PAGES if n in kinds for t in kinds[n]["times"]]
    orders = kinds.get("order", {}).get("times", [])
    errors = {k: v for k, v in statuses.items() if k >= 400}
    print(f"total: {total} requests in {seconds:.0f} s = {total / seconds:.1f} requests/s")
    print(f"all: p50 {pct(everything, 50):.0f} ms, p95 {pct(everything, 95):.0f} ms, max {max(everything or [0]):.0f} ms; "
          f"pages p95 {pct(pages, 95):.0f} ms; order p95 {pct(orders, 95):.0f} ms")
    print("answers by status: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    print(f"errors by status: {errors or 'none'}; 409 (races): {statuses.get(409, 0)}, "
          f"412 (stale inbox version): {statuses.get(412, 0)}, 503 (shed): {statuses.get(503, 0)}; "
          f"other errors: {sum(v for k, v in errors.items() if k not in (409, 412, 503))}")
    if data.get("exceptions"):
        print(f"client exceptions (no HTTP answer): {data['exceptions']}")
    return {"rps": total / seconds, "pages_p95": pct(pages, 95), "order_p95": pct(orders, 95),
            "max": max(everything or [0]), "statuses": dict(statuses), "successes": data["successes"]}


# --- 4. the check ----------------------------------------------------------------------------

def check_transitions(url: str, tmp: Path, since_event: int, successes: list) -> dict:
    """Every memo touched since ``since_event``: its events chain state to state and end at its
    state; no step signed twice; each success the clients saw is one event, and no more."""
    engine = sa.create_engine(sa_url(url))
    problems: list[str] = []
    with engine.connect() as conn:
        touched = [r[0] for r in conn.execute(sa.text(
            "SELECT DISTINCT memo_id FROM event WHERE id > :e AND memo_id IS NOT NULL"), {"e": since_event})]
        events = collections.defaultdict(list)
        for row in conn.execute(sa.text(
                "SELECT memo_id, id, action, from_state, to_state, round, step FROM event "
                "WHERE memo_id = ANY(:ids) ORDER BY memo_id, id"), {"ids": touched}):
            events[row.memo_id].append(row)
        states = dict(conn.execute(sa.text("SELECT id, state FROM memo WHERE id = ANY(:ids)"), {"ids": touched}).all())
        steps = collections.defaultdict(list)
        for row in conn.execute(sa.text("SELECT memo_id, round, seq, status FROM step WHERE memo_id = ANY(:ids)"),
                                {"ids": touched}):
            steps[row.memo_id].append(row)
        recorded = collections.Counter()
        for memo_id, rows in events.items():
            state = None
            signed = collections.Counter()
            for e in rows:
                if e.from_state != state and not (state is None and e.action == "create"):
                    problems.append(f"memo {memo_id}: event {e.id} {e.action} from {e.from_state}, state was {state}")
                state = e.to_state
                if e.action in ("forward", "return", "order"):
                    signed[(e.round, e.step)] += 1
                if e.id > since_event:
                    recorded[(memo_id, e.action)] += 1
            if state != states.get(memo_id):
                problems.append(f"memo {memo_id}: last event leaves {state}, the memo is {states.get(memo_id)}")
            for key, n in signed.items():
                if n > 1:
                    problems.append(f"memo {memo_id}: step {key} signed {n} times")
            done = collections.Counter((s.round, s.seq) for s in steps[memo_id] if s.status in ("done", "returned"))
            for key in done:
                if signed[key] != 1:
                    problems.append(f"memo {memo_id}: step {key} is {done[key]} done/returned with {signed[key]} events")
    engine.dispose()
    seen = collections.Counter((m, a) for m, a in successes)
    lost = sum(max(0, n - recorded[k]) for k, n in seen.items())
    doubled = sum(max(0, n - seen[k]) for k, n in recorded.items() if k[1] in ACTIONS)
    print(f"transitions: {sum(recorded.values())} events recorded on {len(touched)} memos; "
          f"{sum(seen.values())} successes seen by the clients; lost {lost}, doubled {doubled}; "
          f"state/step problems {len(problems)}")
    for p in problems[:20]:
        print("  " + p)
    return {"lost": lost, "doubled": doubled, "problems": len(problems)}


def last_event_id(url: str) -> int:
    engine = sa.create_engine(sa_url(url))
    with engine.connect() as conn:
        value = conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM event")).scalar()
    engine.dispose()
    return value


def argon2_cost() -> None:
    """One password check with today's parameters and with argon2-cffi's default (the old ones)."""
    from argon2 import PasswordHasher

    from approval.services.accounts import PASSWORD_PARAMS

    for label, hasher in (("today's (m=19 MiB, t=2, p=1)", PasswordHasher(**PASSWORD_PARAMS)),
                          ("the old default (m=64 MiB, t=3, p=4)", PasswordHasher())):
        stored = hasher.hash(PASSWORD)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(5):
            hasher.verify(stored, PASSWORD)
        log(f"argon2id password check, {label}: {(time.perf_counter() - wall) / 5 * 1000:.0f} ms wall, "
            f"{(time.process_time() - cpu) / 5 * 1000:.0f} ms CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/wt_load_bench")
    parser.add_argument("--users", default="50,200")
    parser.add_argument("--time", default="90s")
    parser.add_argument("--orgs", type=int, default=20)
    parser.add_argument("--memos", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis-db", type=int, default=9)
    parser.add_argument("--reuse", action="store_true", help="keep the database an earlier run prepared")
    parser.add_argument("--full-documents", action="store_true",
                        help="copy the real frozen PDF (~94 KB) into every decided memo, not a small stand-in")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="load-"))
    state_file = Path(tempfile.gettempdir()) / f"load-accounts-{args.database_url.rsplit('/', 1)[1]}.json"
    log(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()}; files in {tmp}")
    argon2_cost()
    if args.reuse and state_file.exists():
        people = json.loads(state_file.read_text())
        log(f"reusing the database prepared earlier ({state_file})")
        migrate(args.database_url, tmp)  # a later migration (an index) applies to the loaded data
    else:
        ensure_database(args.database_url)
        people = prepare(args.database_url, tmp, args.orgs, args.memos, args.full_documents)
        state_file.write_text(json.dumps(people))
    flush_redis(args.redis_db)
    server, port = start_server(args.database_url, tmp, args.workers, args.redis_db)
    results = {}
    try:
        for users in [int(u) for u in args.users.split(",")]:
            since = last_event_id(args.database_url)
            out = tmp / f"results-{users}.json"
            load = os.getloadavg()
            run_locust(port, users, args.time, state_file, out, tmp)
            if not out.exists():
                raise SystemExit(f"locust wrote no results: see {tmp / f'locust-{users}.log'}")
            log(f"load average before {load}, after {os.getloadavg()}")
            summary = report(users, out)
            summary.update(check_transitions(args.database_url, tmp, since, summary.pop("successes")))
            results[users] = summary
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
    print("\n=== summary (targets: >= 80 requests/s; 50 users: pages p95 <= 500 ms, order p95 <= 1000 ms; "
          "200 users: no request over 3000 ms; only races' 409; 0 lost or doubled) ===")
    for users, s in results.items():
        other = sum(v for k, v in s["statuses"].items() if k >= 400 and k not in (409, 412, 503))
        print(f"{users:>4} users: {s['rps']:.1f} requests/s, pages p95 {s['pages_p95']:.0f} ms, "
              f"order p95 {s['order_p95']:.0f} ms, slowest {s['max']:.0f} ms, 409 {s['statuses'].get(409, 0)}, "
              f"412 {s['statuses'].get(412, 0)}, 503 {s['statuses'].get(503, 0)}, other errors {other}, "
              f"lost {s['lost']}, doubled {s['doubled']}, state problems {s['problems']}")
    log(f"gunicorn log: {tmp / 'gunicorn.log'}")


if __name__ == "__main__":
    main()
