"""Worst memos within approval/limits.py: how long each takes to print.

    .venv/bin/python bench/adversarial.py [--runs 3] [--only NAME]

Builds adversarial memos at the limits -- many one-character lines, long Thai runs
without a break, one long paragraph, the most sections, the most plan rows with the
longest names and notes, the longest comments on the longest chain, and all of these at
once -- checks that the memo's own text passes services.memos.validate_fields, and
prints the median (of --runs) wall-clock and CPU time of an in-process render of each,
then the maximum.  The limits are chosen so that the maximum stays under 5 s on the
development VM (2 cores shared with other jobs: the wall clock runs up to 2x the CPU).

Then the cost of the time budget (services/render_budget.py): the reference memo
rendered in process and in a forked child (fork + the PDF back through a pipe).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from approval import limits
from approval.pdf import install_thai_support, render_memo_pdf
from approval.plan_report import compute as pr
from approval.plan_report.demo import reference_report
from approval.plan_report.io import validate_rows
from approval.plan_report.service import plan_chars
from approval.services import render_budget
from approval.services.memos import memo_chars, validate_fields
from tests.pdf.reference_memo import reference_memo

WORD = "การดำเนินงาน"  # dictionary words, no break between them
SENTENCE = "องค์การบริหารส่วนตำบลได้ดำเนินการตามแผนปฏิบัติการป้องกันการทุจริต "


def _fit(text: str, size: int) -> str:
    return (text * (size // len(text) + 1))[:size]


def _memo(sections: list[dict], **extra) -> dict:
    memo = reference_memo(signed=True)
    memo["sections"] = sections
    memo.update(extra)
    fields = {k: memo[k] for k in ("department", "subject", "addressee", "closing")}
    fields.update(date=memo["date"], sections=sections)
    validate_fields(fields)  # within the limits, or ValidationFailed
    return memo


def _room(title_chars: int = 0, count: int = 1) -> int:
    """Characters of body left per section once the fixed fields and titles are counted."""
    memo = reference_memo()
    fixed = memo_chars({k: memo[k] for k in ("department", "subject", "addressee", "closing")})
    return min(limits.SECTION_BODY_MAX, (limits.MEMO_CHARS_MAX - fixed) // count - title_chars)


def one_char_lines() -> dict:
    n = limits.SECTIONS_MAX
    body = "ก\n" * min(limits.SECTION_LINES_MAX, _room(1, n) // 2)
    return _memo([{"title": "ก", "body": body.strip()}] * n)


def runs_body(run: str, count: int, title: str = "ก") -> str:
    room = _room(len(title), count)
    piece = _fit(run, limits.RUN_CHARS_MAX) + " "
    return _fit(piece, room).strip()


def long_thai_runs() -> dict:
    n = -(-limits.MEMO_CHARS_MAX // limits.SECTION_BODY_MAX)
    return _memo([{"title": "ก", "body": runs_body(WORD, n)}] * n)


def long_single_letter_runs() -> dict:
    n = -(-limits.MEMO_CHARS_MAX // limits.SECTION_BODY_MAX)
    return _memo([{"title": "ก", "body": runs_body("ก", n)}] * n)


def one_long_paragraph() -> dict:
    n = -(-limits.MEMO_CHARS_MAX // limits.SECTION_BODY_MAX)
    return _memo([{"title": "ก", "body": _fit(SENTENCE, _room(1, n)).strip()}] * n)


def max_sections() -> dict:
    n = limits.SECTIONS_MAX
    title = _fit(SENTENCE, limits.SECTION_TITLE_MAX).strip()
    room = _room(len(title), n)
    per_line = max(1, room // limits.SECTION_LINES_MAX - 1)
    body = "\n".join([_fit(SENTENCE, per_line).strip() or "ก"] * limits.SECTION_LINES_MAX)[:room]
    return _memo([{"title": title, "body": body.strip()}] * n)


def _plan(rows: int, texts: int = 0) -> dict:
    """``rows`` projects sharing PLAN_CHARS_MAX characters of names and notes with ``texts``
    characters of problems and suggestions (20 + 20 items)."""
    per_row = max(2, min(1000, (limits.PLAN_CHARS_MAX - texts) // rows))
    name, note = _fit(SENTENCE, per_row - per_row // 2).strip() or "ก", _fit(SENTENCE, per_row // 2).strip()
    raw = [{"no": i, "dimension": i % 4 + 1, "name": name, "budget": "1234567.89",
            "ordinance_budget": "0", "disbursed": "1000.00", "status": pr.STATUSES[i % 4],
            "in_ordinance": "yes", "note": note, "reason": "ไม่มีงบประมาณ"}
           for i in range(1, rows + 1)]
    projects, errors = validate_rows(raw)
    assert not errors, errors[:3]
    report = reference_report(digits=True)
    summary = pr.compute(projects, 15)
    report.update(projects=[p.as_dict() for p in projects], summary=summary,
                  summary_lines=pr.summary_lines(summary, True),
                  problems=[_fit(SENTENCE, texts // 40).strip()] * 20 if texts else [],
                  suggestions=[_fit(SENTENCE, texts // 40).strip()] * 20 if texts else [])
    assert plan_chars(report, projects) <= limits.PLAN_CHARS_MAX
    report["print"] = pr.plan_report_print_context(report, summary, True)
    return report


def max_plan_rows() -> dict:
    memo = reference_memo(signed=True)
    memo["plan_report"] = _plan(limits.PLAN_ROWS_MAX)
    return memo


def long_plan_texts() -> dict:
    """Fewer rows with the longest names and notes, and long problems and suggestions."""
    memo = reference_memo(signed=True)
    memo["plan_report"] = _plan(limits.PLAN_CHARS_MAX // 2 // 1000, texts=limits.PLAN_CHARS_MAX // 2)
    return memo


def _steps(memo: dict) -> list[dict]:
    per_line = limits.COMMENT_MAX // limits.COMMENT_LINES_MAX - 1
    comment = "\n".join([_fit(SENTENCE, per_line).strip()] * limits.COMMENT_LINES_MAX)[: limits.COMMENT_MAX]
    template = memo["steps"][0]
    steps = []
    for i in range(limits.CHAIN_STEPS_MAX):
        step = copy.deepcopy(memo["steps"][-1] if i == limits.CHAIN_STEPS_MAX - 1 else template)
        step.update(seq=i + 1, comment=comment)
        steps.append(step)
    return steps


def max_comments() -> dict:
    memo = reference_memo(signed=True)
    memo["steps"] = _steps(memo)
    return memo


def everything() -> dict:
    memo = one_char_lines()
    memo["steps"] = _steps(memo)
    memo["plan_report"] = _plan(limits.PLAN_ROWS_MAX)
    return memo


def everything_max_sections() -> dict:
    memo = max_sections()
    memo["steps"] = _steps(memo)
    memo["plan_report"] = _plan(limits.PLAN_ROWS_MAX)
    return memo


SCENARIOS = {
    "one-character lines": one_char_lines,
    "long Thai runs (words, no break)": long_thai_runs,
    "long runs of one letter": long_single_letter_runs,
    "one long paragraph per section": one_long_paragraph,
    "max sections, titles and lines": max_sections,
    "max plan rows sharing max plan text": max_plan_rows,
    "plan: long names, notes, problems": long_plan_texts,
    "max chain with max comments": max_comments,
    "all at once (lines)": everything,
    "all at once (sections)": everything_max_sections,
}


def _time(fn, runs: int) -> tuple[float, float, int]:
    walls, cpus, size = [], [], 0
    for _ in range(runs):
        c, w = time.process_time(), time.perf_counter()
        size = len(fn())
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="")
    args = parser.parse_args()

    install_thai_support()
    reference = reference_memo(signed=True)
    reference["plan_report"] = reference_report(digits=True)
    render_memo_pdf(reference)
    print(f"limits: memo {limits.MEMO_CHARS_MAX:,} chars, {limits.SECTIONS_MAX} sections x "
          f"{limits.SECTION_LINES_MAX} lines, runs <= {limits.RUN_CHARS_MAX:,}, plan rows {limits.PLAN_ROWS_MAX}, "
          f"chain {limits.CHAIN_STEPS_MAX} steps x {limits.COMMENT_MAX:,} chars / {limits.COMMENT_LINES_MAX} lines")
    worst = 0.0
    for name, build in SCENARIOS.items():
        if args.only and args.only not in name:
            continue
        memo = build()
        wall, cpu, size = _time(lambda m=memo: render_memo_pdf(m), args.runs)
        worst = max(worst, wall)
        print(f"{name:<40} wall {wall:6.2f} s   CPU {cpu:6.2f} s   {size // 1024:5d} KiB", flush=True)
    print(f"maximum (wall, median of {args.runs}): {worst:.2f} s -> {'under' if worst < 5 else 'OVER'} 5 s")

    if not args.only:
        inproc, _, _ = _time(lambda: render_memo_pdf(reference), max(5, args.runs))
        child, _, _ = _time(lambda: render_budget.run(render_memo_pdf, reference, 60), max(5, args.runs))
        bare, _, _ = _time(lambda: render_budget.run(lambda m: b"x" * 200_000, reference, 60), max(5, args.runs))
        same = render_budget.run(render_memo_pdf, reference, 60) == render_memo_pdf(reference)
        print(f"time budget: reference memo in process {inproc * 1000:.0f} ms, in a forked child "
              f"{child * 1000:.0f} ms (+{(child - inproc) * 1000:.0f} ms); fork + 200 KB back alone "
              f"{bare * 1000:.0f} ms; bytes identical: {same}")


if __name__ == "__main__":
    main()
