"""CPU cost of one API order (the mayor's ``order`` on the reference memo), in process, on SQLite.

    .venv/bin/python bench/order.py [--runs 12] [--with-report] [--grouped] [--fast-hash]
                                    [--in-process] [--cprofile N] [--parts]

Builds a throw-away SQLite database with the demo data (as bench/signing.py), warms the
process as a gunicorn worker does (configure_process(preload=True), documents.warm), then
``--runs`` times: a fresh reference memo taken through submit, forward, forward by the
services, and the order by ``POST /api/v1/memos/<id>/actions`` (Flask test client, bearer
token). Prints the median and worst CPU milliseconds of the order request: the worker's own
(time.process_time), its render processes' (the memo's PDF is laid out in a child process,
services.render_budget: kept ones read by their CPU clocks, ended ones by RUSAGE_CHILDREN) and
their sum, and the wall clock; then the memory of the worker and of its kept render process.
Figures (2 cores shared, production argon2): 265 ms before the kept render processes (worker
~170 + forked child ~90), ~180 after (worker ~140 + kept process ~41).

``--with-report``: the memo carries the 49-project plan report. ``--grouped``: head and
deputy give their opinions side by side (one parallel group) before the mayor's order.
``--fast-hash``: the tests' cheap argon2 parameters instead of the production ones (the
password check and the key's derivation, ~40 ms of CPU per order, are then left out).
``--in-process``: PDF_RENDER_SECONDS=0 (the render in the worker, no child).
``--cprofile N``: cProfile the orders (render in process) and print the top N functions
by cumulative and by own time. ``--parts``: the CPU of the order's costly parts (PARTS,
render in process).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _children_cpu() -> float:
    """CPU seconds of this process's ended children, and of its kept render processes so far
    (services.render_budget: alive, so not in RUSAGE_CHILDREN; read by their CPU clocks)."""
    from approval.services import render_budget

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    kept = 0.0
    pool = getattr(render_budget, "_pool", None)  # (none before the kept processes)
    for server in (pool.idle + pool.busy) if pool else []:
        try:  # Linux: a process's CPU-time clock id is ((~pid) << 3) | CPUCLOCK_SCHED
            kept += time.clock_gettime(((~server.process.pid) << 3) | 2)
        except OSError:
            pass
    return r.ru_utime + r.ru_stime + kept



def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:7.1f} ms   worst {max(values) * 1000:7.1f} ms"


def _kept_memory() -> list[str]:
    """The memory of this process and of its kept render processes (Linux smaps_rollup)."""
    from approval.services import render_budget

    pool = getattr(render_budget, "_pool", None)
    out = []
    for label, pid in [("worker", "self")] + [("kept render process", s.process.pid)
                                             for s in ((pool.idle + pool.busy) if pool else [])]:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            fields = dict(line.split(":", 1) for line in text.splitlines()[1:])
        except OSError:
            continue
        mb = {k: int(v.split()[0]) / 1024 for k, v in fields.items() if k in ("Rss", "Pss", "Private_Dirty")}
        out.append(f"{label}: RSS {mb['Rss']:.0f} MB, PSS {mb['Pss']:.0f} MB, private {mb['Private_Dirty']:.0f} MB")
    return out


#: The order's costly parts (module, function), timed with --parts; nested ones are included
#: in their callers' figures.
PARTS = [
    ("approval.services.accounts", "verify_password"),
    ("approval.signatures.keys", "unlock"),
    ("approval.signatures.service", "sign_step"),
    ("approval.services.documents", "render"),
    ("approval.services.documents", "memo_print_dict"),
    ("approval.signatures.service", "step_checks"),
    ("approval.signatures.pades", "certificate_page"),
    ("approval.signatures.pades", "build"),
    ("approval.signatures.pades", "embed_standard_fonts"),
    ("approval.signatures.pades", "_qr_form"),
    ("approval.signatures.pades", "sign"),
    ("xhtml2pdf.context", "pisaContext.parseCSS"),
    ("approval.services.search", "index_memo"),
]


_MEASURING: list[bool] = []


def _time_parts(bucket: dict[str, list[float]]) -> None:
    import importlib

    for module_name, path in PARTS:
        owner = importlib.import_module(module_name)
        *outer, name = path.split(".")
        for attr in outer:
            owner = getattr(owner, attr)
        original = getattr(owner, name)
        times = bucket.setdefault(path.split(".")[-1], [])

        def timed(*args, _original=original, _times=times, **kwargs):
            start = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                if _MEASURING:
                    _times.append(time.process_time() - start)

        setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--with-report", action="store_true")
    parser.add_argument("--grouped", action="store_true")
    parser.add_argument("--fast-hash", action="store_true")
    parser.add_argument("--in-process", action="store_true")
    parser.add_argument("--cprofile", type=int, default=0)
    parser.add_argument("--parts", action="store_true",
                        help="also the CPU of the order's parts (render in process)")
    args = parser.parse_args()

    import logging

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from approval import create_app
    from approval.cli import seed_demo
    from approval.demo import reference
    from approval.extensions import db
    from approval.models import MemoState, User
    from approval.pdf import configure_process
    from approval.plan_report import service as plans
    from approval.services import accounts, chains, documents, memos
    from approval.signatures import keys

    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.fast_hash:
        accounts.use_fast_hasher()
        keys.use_fast_kdf()
    configure_process(preload=True)  # as gunicorn's post_worker_init
    root = Path(tempfile.mkdtemp(prefix="bench-order-"))
    config = {"APP_ENV": "testing", "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
              "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'bench.sqlite3'}",
              "STORAGE_DIR": str(root / "files"), "AUDIT_ANCHOR_DIR": str(root / "anchors"),
              "HUEY_URL": "memory://", "PREVIEW_CACHE_BYTES": 0}
    if args.in_process or args.cprofile or args.parts:
        config["PDF_RENDER_SECONDS"] = 0
    app = create_app(config)
    password = "bench-pass-2567"
    with app.app_context():
        upgrade()
        seed_demo(password)
        documents.warm()
        people = {u.username: u for u in db.session.scalars(sa.select(User))}
        for name in ("head", "deputy", "mayor"):
            keys.ensure_key(db.session, people[name], password)
        if args.grouped:
            org = people["admin"].organization
            default = chains.ensure_default(db.session, org)
            titles = {s.assignee_id: s.title for s in default.steps}
            steps = [{"title": titles.get(people[n].id, f"ความเห็น {n}"), "kind": "opinion",
                      "assignee_id": people[n].id, "group": 1} for n in ("head", "deputy")]
            steps.append({"title": titles[people["mayor"].id], "kind": "order",
                          "assignee_id": people["mayor"].id, "group": None})
            chains.save_chain(db.session, org, {"steps": steps}, chain=default)
        db.session.commit()
        client = app.test_client()
        token = client.post("/api/v1/auth/token", json={"username": "mayor", "password": password}).get_json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        body = {"action": "order", "decision": "approve", "comment": "อนุมัติ", "password": password}

        def ready_memo() -> int:
            memo = memos.create_memo(db.session, people["legal"], reference.MEMO)
            if args.with_report:
                plans.attach_reference_report(db.session, memo, people["legal"])
            db.session.commit()
            for username, action in [("legal", "submit"), ("head", "forward"), ("deputy", "forward")]:
                memos.act(db.session, memo, people[username], action, comment="เห็นควรนำเสนอ",
                          decision="approve", password=password)
                db.session.commit()
            return memo.id  # the request reads it in a session of its own (its own app context)

        parts: dict[str, list[float]] = {}
        if args.parts:
            _time_parts(parts)
        # one order first: the first request of a process pays for lazy imports and caches
        client.post(f"/api/v1/memos/{ready_memo()}/actions", headers=headers, json=body)
        own, child, wall = [], [], []
        profiler = cProfile.Profile() if args.cprofile else None
        for _ in range(args.runs):
            memo_id = ready_memo()
            c0, k0, t0 = time.process_time(), _children_cpu(), time.perf_counter()
            _MEASURING.append(True)
            if profiler:
                profiler.enable()
            response = client.post(f"/api/v1/memos/{memo_id}/actions", headers=headers, json=body)
            if profiler:
                profiler.disable()
            _MEASURING.clear()
            wall.append(time.perf_counter() - t0)
            own.append(time.process_time() - c0)
            child.append(_children_cpu() - k0)
            assert response.status_code == 200, response.get_json()
            assert response.get_json()["state"] == MemoState.DECIDED.value, response.get_json()
        kept = _kept_memory()
    what = (" with the plan report" if args.with_report else "") + (" (grouped chain)" if args.grouped else "")
    print(f"{args.runs} API orders of the reference memo{what}"
          f"{', fast argon2' if args.fast_hash else ', production argon2'}"
          f"{', render in process' if args.in_process or args.cprofile or args.parts else ', render in a child process'}")
    print(f"worker CPU (process_time):   {_ms(own)}")
    if not (args.in_process or args.cprofile or args.parts):
        print(f"render child CPU:            {_ms(child)}")
    total = [a + b for a, b in zip(own, child, strict=True)]
    print(f"CPU of the order, all told:  {_ms(total)}")
    print(f"wall clock:                  {_ms(wall)}")
    for line in kept:
        print(line)
    for name, values in parts.items():
        print(f"  {name:<27}{_ms(values)}  (n={len(values)})")
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.cprofile)
        stats.sort_stats("tottime").print_stats(args.cprofile)
        print(out.getvalue())


if __name__ == "__main__":
    main()
