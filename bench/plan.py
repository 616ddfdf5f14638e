"""Benchmark: the e-PlanNACC report of a 500-project plan.

Run: ``.venv/bin/python bench/plan.py [projects] [repeats]``.  Prints the median time
of ``compute`` (target < 50 ms), of ``warnings`` and of ``plan_report_print_context``,
plus CSV/XLSX export and import of the same list.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from approval.plan_report import compute as pr
from approval.plan_report import io as plan_io


def make_projects(count: int, seed: int = 2567) -> list[pr.Project]:
    rng = random.Random(seed)
    projects = []
    for no in range(1, count + 1):
        budget = Decimal(rng.choice([0, 0, 5000, 10000, 20000, 200000])) + Decimal(rng.randint(0, 99)) / 100
        status = rng.choice(pr.STATUSES)
        disbursed = (budget * Decimal(rng.randint(0, 100)) / 100).quantize(pr.CENT) if status != "waiting" else pr.ZERO
        projects.append(
            pr.Project(
                no=no,
                dimension=rng.randint(1, 4),
                name=f"โครงการส่งเสริมคุณธรรมและความโปร่งใสขององค์การบริหารส่วนตำบล ลำดับที่ {no}",
                budget=budget,
                ordinance_budget=budget if rng.random() < 0.3 else pr.ZERO,
                disbursed=disbursed,
                status=status,
                in_ordinance=rng.random() < 0.3,
                reason="ไม่มีงบประมาณ" if status == "cannot" else "",
                note="",
            )
        )
    return projects


def median_ms(func, repeats: int) -> float:
    func()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 21
    projects = make_projects(count)
    summary = pr.compute(projects, 15)
    report = {
        "fiscal_year": 2567, "round": 6, "organization_name": "องค์การบริหารส่วนตำบลขอนหาด",
        "district": "ชะอวด", "province": "นครศรีธรรมราช", "projects": [p.as_dict() for p in projects],
        "problems": ["ขาดงบประมาณ"], "suggestions": ["สนับสนุนงบประมาณ"],
        "reporter_name": "นางสาวอนุศาสน์ อภัยรัตน์", "reporter_position": "นิติกร",
    }
    csv_bytes = plan_io.export_csv(projects)
    xlsx_bytes = plan_io.export_xlsx(projects)
    results = {
        "compute": median_ms(lambda: pr.compute(projects, 15), repeats),
        "warnings": median_ms(lambda: pr.warnings(projects), repeats),
        "print context": median_ms(lambda: pr.plan_report_print_context(report, summary, True), repeats),
        "export csv": median_ms(lambda: plan_io.export_csv(projects), repeats),
        "parse csv": median_ms(lambda: plan_io.parse_csv(csv_bytes), repeats),
        "export xlsx": median_ms(lambda: plan_io.export_xlsx(projects), max(3, repeats // 4)),
        "parse xlsx": median_ms(lambda: plan_io.parse_xlsx(xlsx_bytes), max(3, repeats // 4)),
    }
    print(f"{count} projects, median of {repeats} runs")
    for name, ms in results.items():
        print(f"  {name:<14} {ms:8.2f} ms")
    verdict = "OK" if results["compute"] < 50 else "SLOW"
    print(f"compute target < 50 ms: {verdict}")
    page = page_ms(projects, repeats=max(5, repeats // 2))
    print(f"  {'page (author)':<14} {page['author']:8.2f} ms   (the editable table, median)")
    print(f"  {'page (reader)':<14} {page['reader']:8.2f} ms   (tables only, median)")
    print(f"page target < 300 ms: {'OK' if max(page.values()) < 300 else 'SLOW'}")


def page_ms(projects: list[pr.Project], repeats: int) -> dict[str, float]:
    """The plan-report page of a memo carrying these projects, served in process."""
    import tempfile

    from flask_migrate import upgrade

    from approval import create_app
    from approval.cli import seed_demo
    from approval.extensions import db
    from approval.models import Memo, User
    from approval.plan_report import service as plans
    from approval.services import accounts

    accounts.use_fast_hasher()
    tmp = Path(tempfile.mkdtemp(prefix="bench-plan-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'plan.sqlite3'}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    password = "bench-pass-123"
    with app.app_context():
        upgrade()
        seed_demo(password)
        legal = db.session.scalar(db.select(User).where(User.username == "legal"))
        memo = db.session.scalar(db.select(Memo).where(Memo.author_id == legal.id))
        header = {"fiscal_year": 2567, "round": 6, "minimum_projects": 15}
        plans.save_report(db.session, memo, legal, plans.validate_header(header), projects)
        db.session.commit()
        memo_id = memo.id
    result = {}
    for who in ("author", "reader"):
        client = app.test_client()
        client.post("/login", data={"username": "legal" if who == "author" else "records", "password": password})
        url = f"/memos/{memo_id}/plan-report"
        if who == "reader":  # the records officer sees a submitted memo
            with app.app_context():
                from approval.services import memos as memo_service

                memo = db.session.get(Memo, memo_id)
                memo_service.act(db.session, memo, memo.author, "submit")
                db.session.commit()
        assert client.get(url).status_code == 200
        result[who] = median_ms(lambda client=client, url=url: client.get(url), repeats)
    return result


if __name__ == "__main__":
    main()
