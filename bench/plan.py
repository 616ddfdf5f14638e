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

from approval.services import plan_io
from approval.services import plan_report as pr


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


if __name__ == "__main__":
    main()
