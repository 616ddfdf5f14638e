"""The anti-corruption action plan progress report (e-PlanNACC format).

Pure, framework-free functions on :class:`~decimal.Decimal` (never float).  From the
list of projects of an organisation's plan they compute exactly the figures the
e-PlanNACC attachment of the reference memo shows (see ``approval/plan_report/demo.py``):

* a row per dimension (มิติ) and a total row: projects planned, projects done,
  budget in the plan, in the budget ordinance, used (disbursed), percentage of
  projects done and of the budget used;
* the budget tables (plan, ordinance) and the disbursement table;
* the status summary: minimum projects set by the NACC, all projects, in the
  ordinance, counts per status, implementation measured against the minimum
  (capped at 100.00, the cap marked ``*``) and its level (มาก / ปานกลาง / น้อย).

Definitions (reproduce the seed report exactly):

* ``projects_done`` = projects with status ``completed``;
* ``budget_used`` = sum of ``disbursed``;
* ``pct_projects`` = done / planned x 100; ``pct_budget`` = used / planned budget x 100;
* ``implementation_pct`` = completed / minimum x 100, capped at 100.00 (``capped``
  when completed > minimum);
* every percentage is rounded half-up to two decimals; a percentage of a zero
  base is 0.00.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from approval.thai import money, thai_date, thai_digits

# --------------------------------------------------------------------------- constants

#: The four dimensions of the NACC anti-corruption action plan for local government.
DIMENSIONS: dict[int, str] = {
    1: "การสร้างสังคมที่ไม่ทนต่อการทุจริต",
    2: "การบริหารราชการเพื่อป้องกันการทุจริต",
    3: "การส่งเสริมบทบาทและการมีส่วนร่วมของภาคประชาชน",
    4: "การเสริมสร้างและปรับปรุงกลไกในการตรวจสอบการปฏิบัติราชการขององค์กรปกครองส่วนท้องถิ่น",
}

#: Project statuses, in the order of the printed status columns.
STATUSES: tuple[str, ...] = ("waiting", "in_progress", "completed", "cannot")
STATUS_LABELS: dict[str, str] = {
    "waiting": "รอรายงาน",
    "in_progress": "อยู่ระหว่างดำเนินการ",
    "completed": "ดำเนินการแล้วเสร็จ",
    "cannot": "ไม่สามารถดำเนินการได้",
}

#: Reporting rounds: 6 months (1 Oct - 31 Mar) and 12 months (1 Oct - 30 Sep).
ROUNDS: tuple[int, ...] = (6, 12)

#: The mark printed in a status column.  "✓" is not in the Sarabun font (checked with
#: ReportLab's TTFont face.charToGlyph), so the slash Thai paper forms use is printed.
STATUS_MARK = "/"

#: Largest amount accepted anywhere (fits NUMERIC(14, 2)).
MAX_AMOUNT = Decimal("999999999999.99")

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Project:
    """One project / activity / measure (โครงการ/กิจกรรม/มาตรการ) of the plan."""

    no: int
    dimension: int
    name: str
    budget: Decimal
    ordinance_budget: Decimal
    disbursed: Decimal
    status: str
    in_ordinance: bool
    reason: str = ""
    note: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able-ish dict (Decimal values kept) with ``status_label``."""
        return {
            "no": self.no,
            "dimension": self.dimension,
            "name": self.name,
            "budget": self.budget,
            "ordinance_budget": self.ordinance_budget,
            "disbursed": self.disbursed,
            "status": self.status,
            "status_label": self.status_label,
            "in_ordinance": self.in_ordinance,
            "reason": self.reason,
            "note": self.note,
        }


_PROJECT_FIELDS = tuple(f.name for f in fields(Project))


# --------------------------------------------------------------------------- arithmetic


def q2(value: Decimal | int | str) -> Decimal:
    """Round to two decimals, half up (``0.125`` -> ``0.13``; never float, never ``round``)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def pct(part: Decimal | int, base: Decimal | int) -> Decimal:
    """``part / base x 100`` rounded half-up to two decimals; 0.00 when ``base`` is zero."""
    base = Decimal(base)
    if base == 0:
        return ZERO
    with localcontext() as ctx:
        ctx.prec = 50  # exact enough for 14-digit amounts before the single rounding
        return q2(Decimal(part) * HUNDRED / base)


# --------------------------------------------------------------------------- level thresholds


@dataclass(frozen=True)
class LevelThresholds:
    """Bands of the implementation percentage -> level (ระดับการนำแผนไปปฏิบัติ).

    ``bands`` are ``(minimum percentage, label)`` pairs sorted by descending minimum;
    the last band starts at 0 so every percentage has a level.  The NACC does not
    publish the thresholds with the report, so they are an organisation setting.
    """

    bands: tuple[tuple[Decimal, str], ...]

    def level_for(self, percentage: Decimal) -> str:
        for minimum, label in self.bands:
            if percentage >= minimum:
                return label
        return self.bands[-1][1]

    def to_json(self) -> list[dict[str, str]]:
        return [{"min_pct": str(minimum), "label": label} for minimum, label in self.bands]


#: Default: >= 80 มาก, >= 50 ปานกลาง, otherwise น้อย (the reference, 100.00*, is มาก).
DEFAULT_LEVEL_THRESHOLDS = LevelThresholds(
    bands=((Decimal("80.00"), "มาก"), (Decimal("50.00"), "ปานกลาง"), (Decimal("0.00"), "น้อย"))
)


class ThresholdsError(ValueError):
    """Invalid level thresholds setting; ``errors`` holds Thai messages."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def validate_level_thresholds(data: Any) -> LevelThresholds:
    """Level thresholds from JSON-able data, or :class:`ThresholdsError` (Thai messages).

    Accepted: ``[{"min_pct": "80", "label": "มาก"}, ...]`` (any order) or a mapping
    ``{"มาก": 80, "ปานกลาง": 50, "น้อย": 0}``.  Rules: 1-10 bands; labels non-empty,
    at most 50 characters, distinct; minimums numbers 0-100 with at most 2 decimals,
    distinct; one band must start at 0.
    """
    errors: list[str] = []
    if isinstance(data, Mapping):
        items = [{"label": k, "min_pct": v} for k, v in data.items()]
    elif isinstance(data, list | tuple):
        items = list(data)
    else:
        raise ThresholdsError(["ระดับการนำแผนไปปฏิบัติ: ต้องเป็นรายการของเกณฑ์"])
    if not 1 <= len(items) <= 10:
        raise ThresholdsError(["ระดับการนำแผนไปปฏิบัติ: ต้องมี ๑ ถึง ๑๐ ระดับ"])
    bands: list[tuple[Decimal, str]] = []
    for index, item in enumerate(items, start=1):
        where = f"ระดับที่ {thai_digits(index)}"
        if not isinstance(item, Mapping):
            errors.append(f"{where}: ต้องมีเกณฑ์ขั้นต่ำและชื่อระดับ")
            continue
        label = item.get("label")
        label = label.strip() if isinstance(label, str) else ""
        if not label or len(label) > 50:
            errors.append(f"{where}: ชื่อระดับต้องไม่ว่างและยาวไม่เกิน ๕๐ ตัวอักษร")
        raw = item.get("min_pct")
        minimum: Decimal | None = None
        if isinstance(raw, bool) or not isinstance(raw, int | str | Decimal):
            # floats are refused on purpose: 0.1 is not exactly 0.1
            errors.append(f"{where}: เกณฑ์ขั้นต่ำต้องเป็นตัวเลข ๐ ถึง ๑๐๐ ทศนิยมไม่เกิน ๒ ตำแหน่ง")
        else:
            try:
                minimum = Decimal(str(raw).strip())
            except InvalidOperation:
                minimum = None
            if (
                minimum is None
                or not minimum.is_finite()
                or not 0 <= minimum <= 100
                or minimum.as_tuple().exponent < -2  # type: ignore[operator]
            ):
                errors.append(
                    f"{where}: เกณฑ์ขั้นต่ำต้องเป็นตัวเลข ๐ ถึง ๑๐๐ ทศนิยมไม่เกิน ๒ ตำแหน่ง"
                )
                minimum = None
        if minimum is not None and label and len(label) <= 50:
            bands.append((q2(minimum), label))
    if not errors:
        if len({b[1] for b in bands}) != len(bands):
            errors.append("ระดับการนำแผนไปปฏิบัติ: ชื่อระดับซ้ำกัน")
        if len({b[0] for b in bands}) != len(bands):
            errors.append("ระดับการนำแผนไปปฏิบัติ: เกณฑ์ขั้นต่ำซ้ำกัน")
        if not any(b[0] == 0 for b in bands):
            errors.append("ระดับการนำแผนไปปฏิบัติ: ต้องมีระดับที่เริ่มที่ร้อยละ ๐")
    if errors:
        raise ThresholdsError(errors)
    return LevelThresholds(bands=tuple(sorted(bands, key=lambda b: b[0], reverse=True)))


# --------------------------------------------------------------------------- compute


def _row(dimension: int | None, projects: Sequence[Project]) -> dict[str, Any]:
    planned = len(projects)
    done = sum(1 for p in projects if p.status == "completed")
    budget_planned = sum((p.budget for p in projects), ZERO)
    budget_ordinance = sum((p.ordinance_budget for p in projects), ZERO)
    budget_used = sum((p.disbursed for p in projects), ZERO)
    return {
        "dimension": dimension,
        "projects_planned": planned,
        "projects_done": done,
        "budget_planned": q2(budget_planned),
        "budget_ordinance": q2(budget_ordinance),
        "budget_used": q2(budget_used),
        "pct_projects": pct(done, planned),
        "pct_budget": pct(budget_used, budget_planned),
    }


def compute(
    projects: Iterable[Project],
    minimum_projects: int,
    thresholds: LevelThresholds = DEFAULT_LEVEL_THRESHOLDS,
) -> dict[str, Any]:
    """The report's figures (the API shape; Decimal amounts and percentages).

    Projects whose dimension is not 1-4 count in the total only (validation refuses
    them anyway).  ``budget_ordinance_table`` counts every project of the dimension,
    like the e-PlanNACC attachment of the reference; ``in_ordinance`` counts the
    projects flagged as in the budget ordinance.
    """
    projects = list(projects)
    if isinstance(minimum_projects, bool) or not isinstance(minimum_projects, int):
        raise TypeError("minimum_projects must be an int")
    if minimum_projects < 0:
        raise ValueError("minimum_projects must not be negative")
    by_dim: dict[int, list[Project]] = {d: [] for d in DIMENSIONS}
    for p in projects:
        if p.dimension in by_dim:
            by_dim[p.dimension].append(p)
    rows = [_row(d, by_dim[d]) for d in DIMENSIONS]
    total = _row(None, projects)

    counts = Counter(p.status for p in projects)
    status_counts = {s: counts.get(s, 0) for s in STATUSES}
    completed = status_counts["completed"]
    capped = minimum_projects > 0 and completed > minimum_projects
    implementation = HUNDRED.quantize(CENT) if capped else pct(completed, minimum_projects)

    def budget_table(key: str) -> dict[str, Any]:
        return {
            "dimensions": [
                {"dimension": r["dimension"], "projects": r["projects_planned"], "budget": r[key]}
                for r in rows
            ],
            "total": {"dimension": None, "projects": total["projects_planned"], "budget": total[key]},
        }

    def disb(r: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "dimension": r["dimension"],
            "budget_planned": r["budget_planned"],
            "budget_ordinance": r["budget_ordinance"],
            "budget_used": r["budget_used"],
        }

    return {
        "dimensions": rows,
        "total": total,
        "status_counts": status_counts,
        "in_ordinance": sum(1 for p in projects if p.in_ordinance),
        "minimum_projects": minimum_projects,
        "all_projects": len(projects),
        "implementation_pct": implementation,
        "implementation_capped": capped,
        "level": thresholds.level_for(implementation),
        "budget_plan_table": budget_table("budget_planned"),
        "budget_ordinance_table": budget_table("budget_ordinance"),
        "disbursement_table": {"dimensions": [disb(r) for r in rows], "total": disb(total)},
    }


# --------------------------------------------------------------------------- warnings


def _ranges(numbers: Sequence[int]) -> list[str]:
    out: list[str] = []
    start = prev = numbers[0]
    for n in list(numbers[1:]) + [None]:  # type: ignore[list-item]
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return out


def warnings(projects: Iterable[Project]) -> list[dict[str, Any]]:
    """Data that looks wrong but never blocks: ``[{"code", "message" (Thai), "no"}]``.

    Codes: ``disbursed_over_budget`` (disbursed above both the plan and the ordinance
    budget), ``completed_without_disbursement`` (completed, had a budget, nothing
    disbursed), ``numbering_duplicate``, ``numbering_gap`` (numbers missing between 1
    and the largest), ``dimension_empty``.
    """
    projects = list(projects)
    out: list[dict[str, Any]] = []
    for p in sorted(projects, key=lambda p: p.no):
        ceiling = max(p.budget, p.ordinance_budget)
        if p.disbursed > ceiling:
            out.append({
                "code": "disbursed_over_budget",
                "no": p.no,
                "message": (
                    f"โครงการลำดับที่ {thai_digits(p.no)} เบิกจ่าย {money(p.disbursed, True)} บาท"
                    f" สูงกว่างบประมาณ {money(ceiling, True)} บาท"
                ),
            })
        budget = max(p.budget, p.ordinance_budget)
        if p.status == "completed" and p.disbursed == 0 and budget > 0:
            out.append({
                "code": "completed_without_disbursement",
                "no": p.no,
                "message": (
                    f"โครงการลำดับที่ {thai_digits(p.no)} ดำเนินการแล้วเสร็จ"
                    f" แต่ยังไม่มีการเบิกจ่าย (งบประมาณ {money(budget, True)} บาท)"
                ),
            })
    counts = Counter(p.no for p in projects)
    for no in sorted(n for n, c in counts.items() if c > 1):
        out.append({
            "code": "numbering_duplicate",
            "no": no,
            "message": f"ลำดับที่ {thai_digits(no)} ซ้ำกัน {thai_digits(counts[no])} โครงการ",
        })
    if counts:
        top = max(counts)
        if top <= 100_000:
            missing = [n for n in range(1, top + 1) if n not in counts]
        else:  # absurd numbering: do not enumerate; say where the run of numbers breaks
            missing = []
            out.append({
                "code": "numbering_gap",
                "no": None,
                "message": f"ลำดับที่ไม่ต่อเนื่อง (ลำดับสูงสุด {thai_digits(top)})",
            })
        if missing:
            listed = _ranges(missing)
            text = ", ".join(listed[:20]) + (" ..." if len(listed) > 20 else "")
            out.append({
                "code": "numbering_gap",
                "no": None,
                "message": f"ลำดับที่ไม่ต่อเนื่อง ขาดลำดับที่ {thai_digits(text)}",
            })
    present = {p.dimension for p in projects}
    for d, name in DIMENSIONS.items():
        if d not in present:
            out.append({
                "code": "dimension_empty",
                "no": None,
                "message": f"มิติที่ {thai_digits(d)} {name} ไม่มีโครงการ",
            })
    return out


# --------------------------------------------------------------------------- texts


def _n(value: Any, digits: bool) -> str:
    return thai_digits(value, digits)


def _pct_text(value: Decimal, digits: bool) -> str:
    return thai_digits(f"{q2(value):.2f}", digits)


def summary_lines(summary: Mapping[str, Any], digits: bool = True) -> list[str]:
    """The closing lines of the report (สรุปผลการขับเคลื่อนแผนฯ), as in the seed."""
    counts = summary["status_counts"]
    total = summary["total"]
    return [
        f"แผนปฏิบัติการป้องกันทุจริต มีโครงการ/กิจกรรม/มาตรการ จำนวน {_n(summary['all_projects'], digits)} โครงการ",
        *(f"{STATUS_LABELS[s]} {_n(counts[s], digits)} โครงการ" for s in STATUSES),
        (f"เบิกจ่ายงบประมาณ {money(total['budget_used'], digits)} บาท"
        f" คิดเป็นร้อยละ {_pct_text(total['pct_budget'], digits)}"),
        (f"มีการนำแผนฯ ไปปฏิบัติ ระดับ {summary['level']}"
        f" ร้อยละ {_pct_text(summary['implementation_pct'], digits)}"),
    ]


def round_period(fiscal_year_be: int, round: int) -> tuple[dt.date, dt.date]:
    """First and last day of a reporting round of a Buddhist Era fiscal year.

    Round 6: 1 Oct of the previous year - 31 Mar; round 12: 1 Oct - 30 Sep.
    """
    if round not in ROUNDS:
        raise ValueError("round must be 6 or 12")
    year = fiscal_year_be - 543
    if not 1 < year < 9999:
        raise ValueError("fiscal year out of range")
    start = dt.date(year - 1, 10, 1)
    end = dt.date(year, 3, 31) if round == 6 else dt.date(year, 9, 30)
    return start, end


def period_text(fiscal_year_be: int, round: int, digits: bool = True) -> str:
    """``ระหว่างวันที่ ๑ ตุลาคม ๒๕๖๖ - ๓๑ มีนาคม ๒๕๖๗``."""
    start, end = round_period(fiscal_year_be, round)
    return f"ระหว่างวันที่ {thai_date(start, digits)} - {thai_date(end, digits)}"


# --------------------------------------------------------------------------- print context


def _get(project: Any, key: str, default: Any = None) -> Any:
    if isinstance(project, Mapping):
        return project.get(key, default)
    return getattr(project, key, default)


def _money_text(value: Any, digits: bool) -> str:
    return money(q2(value if value is not None else 0), digits)


def _numbered(items: Iterable[Any], digits: bool) -> list[str]:
    """``๑. text`` for each non-empty item (numbers the user typed are kept as they are)."""
    texts = [str(x).strip() for x in items if x is not None and str(x).strip()]
    out = []
    for index, text in enumerate(texts, start=1):
        out.append(text if text[0].isdigit() else f"{_n(index, digits)}. {text}")
    return out


def plan_report_print_context(
    report: Mapping[str, Any], summary: Mapping[str, Any] | None = None, digits: bool = True
) -> dict[str, Any]:
    """Everything ``templates/pdf/_plan_report.html`` prints, pre-formatted as strings.

    ``report`` is the ``memo.plan_report`` dict (fiscal_year, round, organization_name,
    district, province, period_text, projects (Project or dicts), problems,
    suggestions, reporter_name, reporter_position; ``summary`` and ``summary_lines``
    optional).  ``summary`` defaults to ``report["summary"]``.  ``digits`` True prints
    Thai digits (pass ``memo.digits == "thai"``).  The template only loops and
    prints; Jinja's autoescape escapes the strings.
    """
    summary = summary if summary is not None else report["summary"]
    fy = int(report.get("fiscal_year") or 0)
    rnd = int(report.get("round") or 0)
    org = str(report.get("organization_name") or "")
    n = lambda v: _n(v, digits)
    m = lambda v: _money_text(v, digits)
    p = lambda v: _pct_text(v, digits)

    def row_text(r: Mapping[str, Any]) -> dict[str, str]:
        return {
            "dimension": n(r["dimension"]) if r["dimension"] is not None else "รวม",
            "projects_planned": n(r["projects_planned"]),
            "projects_done": n(r["projects_done"]),
            "budget_planned": m(r["budget_planned"]),
            "budget_ordinance": m(r["budget_ordinance"]),
            "budget_used": m(r["budget_used"]),
            "pct_projects": p(r["pct_projects"]),
            "pct_budget": p(r["pct_budget"]),
        }

    def budget_table(table: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "cells": [{"projects": n(c["projects"]), "budget": m(c["budget"])} for c in table["dimensions"]],
            "total": {"projects": n(table["total"]["projects"]), "budget": m(table["total"]["budget"])},
        }

    def disb_text(r: Mapping[str, Any], label: str) -> dict[str, str]:
        return {
            "label": label,
            "budget_planned": m(r["budget_planned"]),
            "budget_ordinance": m(r["budget_ordinance"]),
            "budget_used": m(r["budget_used"]),
        }

    counts = summary["status_counts"]
    projects = sorted(report.get("projects") or [], key=lambda x: (_get(x, "no") or 0))
    project_rows = []
    for proj in projects:
        status = _get(proj, "status")
        note = str(_get(proj, "note") or "")
        reason = str(_get(proj, "reason") or "")
        if reason and status == "cannot":
            note = f"{reason} {note}".strip() if note else reason
        project_rows.append({
            "no": n(_get(proj, "no")),
            "name": str(_get(proj, "name") or ""),
            "dimension": n(_get(proj, "dimension")),
            "budget": m(_get(proj, "budget")),
            "disbursed": m(_get(proj, "disbursed")),
            "marks": [STATUS_MARK if status == s else "" for s in STATUSES],
            "note": note,
        })
    lines = report.get("summary_lines") or summary_lines(summary, digits)
    year = n(fy)
    round_text = n(rnd)
    place = " ".join(
        part
        for part in (
            org,
            f"อำเภอ {report['district']}" if report.get("district") else "",
            f"จังหวัด {report['province']}" if report.get("province") else "",
        )
        if part
    )
    implementation = p(summary["implementation_pct"]) + ("*" if summary["implementation_capped"] else "")
    return {
        "organization_name": org,
        "place_line": place,
        "period_text": str(report.get("period_text") or (period_text(fy, rnd, digits) if fy and rnd in ROUNDS else "")),
        "title": f"รายงานผลการนำแผนไปปฏิบัติ ประจำปีงบประมาณ พ.ศ. {year} รอบ {round_text} เดือน",
        "projects_title": (
            f"รายงานผลการดำเนินงานตามแผนปฏิบัติการป้องกันการทุจริต ของ{org}"
            f" พ.ศ. {year} รอบ {round_text} เดือน"
        ),
        "dimension_labels": [f"มิติที่ {n(d)}" for d in DIMENSIONS],
        "dimension_names": [f"มิติที่ {n(d)} {name}" for d, name in DIMENSIONS.items()],
        "dimension_rows": [row_text(r) for r in summary["dimensions"]],
        "total_row": row_text(summary["total"]),
        "budget_plan_table": budget_table(summary["budget_plan_table"]),
        "budget_ordinance_table": budget_table(summary["budget_ordinance_table"]),
        "disbursement_rows": [
            disb_text(r, f"มิติที่ {n(r['dimension'])}") for r in summary["disbursement_table"]["dimensions"]
        ],
        "disbursement_total": disb_text(summary["disbursement_table"]["total"], "รวม ๔ มิติ" if digits else "รวม 4 มิติ"),
        "total_label": "รวม ๔ มิติ" if digits else "รวม 4 มิติ",
        "status": {
            "minimum_projects": n(summary["minimum_projects"]),
            "all_projects": n(summary["all_projects"]),
            "in_ordinance": n(summary["in_ordinance"]),
            "waiting": n(counts["waiting"]),
            "in_progress": n(counts["in_progress"]),
            "completed": n(counts["completed"]),
            "cannot": n(counts["cannot"]),
            "implementation": implementation,
            "level": str(summary["level"]),
        },
        "capped_note": (
            "* ผลการนำแผนฯ ไปปฏิบัติคิดจากโครงการขั้นต่ำ สูงสุดไม่เกินร้อยละ ๑๐๐"
            if digits
            else "* ผลการนำแผนฯ ไปปฏิบัติคิดจากโครงการขั้นต่ำ สูงสุดไม่เกินร้อยละ 100"
        )
        if summary["implementation_capped"]
        else "",
        "status_labels": [STATUS_LABELS[s] for s in STATUSES],
        "status_headers": ["รอ รายงาน", "อยู่ระหว่าง ดำเนินการ", "ดำเนินการ แล้วเสร็จ", "ไม่สามารถ ดำเนินการได้"],
        "project_rows": project_rows,
        "problems": _numbered(report.get("problems") or [], digits),
        "suggestions": _numbered(report.get("suggestions") or [], digits),
        "reporter_name": str(report.get("reporter_name") or ""),
        "reporter_position": str(report.get("reporter_position") or ""),
        "summary_lines": [str(x) for x in lines],
    }


def with_print_context(report: Mapping[str, Any], digits: bool = True) -> dict[str, Any]:
    """A copy of a ``memo.plan_report`` dict with ``"print"`` added (what the template prints).

    ``report["summary"]`` is computed if missing (needs ``minimum_projects`` then).
    """
    out = dict(report)
    if "summary" not in out:
        out["summary"] = compute(
            [p if isinstance(p, Project) else Project(**{k: p[k] for k in _PROJECT_FIELDS if k in p})
             for p in out.get("projects") or []],
            int(out.get("minimum_projects") or 0),
        )
    out["print"] = plan_report_print_context(out, out["summary"], digits)
    return out
