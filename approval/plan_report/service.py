"""The plan report attached to a memo: store, compute and print (models <-> pure service)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .. import limits
from ..errors import ValidationFailed
from ..models import Memo, Organization, PlanProject, PlanReport, User
from ..services import audit, memos, search
from ..services.text import clean_text
from ..thai import utcnow
from . import compute as pr
from .io import row_count_error, validate_rows

TEXT_ITEMS_MAX, TEXT_ITEM_LEN = 20, 2000


def thresholds_for(org: Organization) -> pr.LevelThresholds:
    stored = org.setting("level_thresholds")
    return pr.validate_level_thresholds(stored) if stored else pr.DEFAULT_LEVEL_THRESHOLDS


def projects_of(report: PlanReport) -> list[pr.Project]:
    return [
        pr.Project(no=p.no, dimension=p.dimension, name=p.name, budget=p.budget,
                   ordinance_budget=p.ordinance_budget, disbursed=p.disbursed, status=p.status,
                   in_ordinance=p.in_ordinance, reason=p.reason, note=p.note)
        for p in report.projects
    ]


def _texts(value: Any, field: str, errors: dict) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > TEXT_ITEMS_MAX or not all(isinstance(v, str) for v in value):
        errors[field] = f"ต้องเป็นรายการข้อความไม่เกิน {TEXT_ITEMS_MAX} ข้อ"
        return []
    items = [clean_text(v, field) for v in value]
    if any(len(v) > TEXT_ITEM_LEN for v in items):
        errors[field] = f"แต่ละข้อยาวได้ไม่เกิน {TEXT_ITEM_LEN:,} ตัวอักษร"
    return [v for v in items if v]


def _int_field(data: dict, key: str, low: int, high: int, errors: dict, message: str):
    value = data.get(key)
    if isinstance(value, str) and value.strip().isdecimal() and value.strip().isascii() and len(value) <= 12:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[key] = message
        return None
    return value


def validate_header(data: dict) -> dict:
    errors: dict[str, str] = {}
    clean = {
        "fiscal_year": _int_field(data, "fiscal_year", 2500, 2700, errors, "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2567"),
        "round": _int_field(data, "round", 6, 12, errors, "รอบรายงานต้องเป็น 6 หรือ 12 เดือน"),
        "minimum_projects": _int_field(data, "minimum_projects", 0, 10000, errors,
                                       "จำนวนโครงการขั้นต่ำต้องเป็นจำนวนเต็มไม่ติดลบ"),
        "problems": _texts(data.get("problems"), "problems", errors),
        "suggestions": _texts(data.get("suggestions"), "suggestions", errors),
    }
    if clean["round"] not in (6, 12, None):
        errors["round"] = "รอบรายงานต้องเป็น 6 หรือ 12 เดือน"
    for key in ("reporter_name", "reporter_position"):
        value = data.get(key, "")
        if not isinstance(value, str) or len(value) > 200:
            errors[key] = "ต้องเป็นข้อความไม่เกิน 200 ตัวอักษร"
        else:
            clean[key] = clean_text(value, key)
    if errors:
        raise ValidationFailed("ข้อมูลรายงานไม่ถูกต้อง", errors)
    return clean


def plan_chars(header: dict, projects: list[pr.Project]) -> int:
    """Characters of the report's printed text (limits.PLAN_CHARS_MAX counts these)."""
    texts = sum(len(item) for key in ("problems", "suggestions") for item in header.get(key) or [])
    return texts + sum(len(p.name) + len(p.note) for p in projects)


def save_report(session: Session, memo: Memo, user: User, header: dict, projects: list[pr.Project]) -> PlanReport:
    """Replace the memo's plan report (only its author, only while editable)."""
    memos.ensure_editable(memo, user, "รายงานแนบ")
    chars = plan_chars(header, projects)
    if chars > limits.PLAN_CHARS_MAX:
        message = (f"ข้อความของรายงานแนบ (ชื่อโครงการ หมายเหตุ ปัญหาและข้อเสนอแนะ) รวมกันยาวได้ไม่เกิน "
                   f"{limits.PLAN_CHARS_MAX:,} ตัวอักษร (ขณะนี้ {chars:,} ตัวอักษร) กรุณาลดความยาว")
        raise ValidationFailed(message, {"projects": message})
    report = memo.plan_report
    if report is None:
        report = PlanReport(organization_id=memo.organization_id, memo=memo)
        session.add(report)
    report.fiscal_year = header["fiscal_year"]
    report.round = header["round"]
    report.minimum_projects = header["minimum_projects"]
    report.problems = header.get("problems", [])
    report.suggestions = header.get("suggestions", [])
    report.reporter_name = header.get("reporter_name") or user.full_name
    report.reporter_position = header.get("reporter_position") or user.position
    report.projects.clear()
    session.flush()
    for position, p in enumerate(projects, start=1):
        report.projects.append(PlanProject(
            organization_id=memo.organization_id, position=position, no=p.no, dimension=p.dimension,
            name=p.name, budget=p.budget, ordinance_budget=p.ordinance_budget, disbursed=p.disbursed,
            status=p.status, in_ordinance=p.in_ordinance, reason=p.reason, note=p.note,
        ))
    memo.updated_at = utcnow()
    audit.record_event(session, organization_id=memo.organization_id, memo=memo, actor=user,
                       action="plan_report", from_state=memo.state.value, to_state=memo.state.value,
                       data={"projects": len(projects)}, at=utcnow())
    search.index_memo(session, memo)
    return report


def save_from_json(session: Session, memo: Memo, user: User, data: dict) -> PlanReport:
    header = validate_header(data)
    rows = data.get("projects")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValidationFailed("รายการโครงการต้องเป็นรายการของวัตถุ", {"projects": "ต้องเป็นรายการ"})
    too_many = row_count_error(rows)  # the same limit as the imports: limits.PLAN_ROWS_MAX
    if too_many:
        raise ValidationFailed(too_many["message"], {"projects": too_many["message"]})
    projects, errors = validate_rows(rows)
    if errors:
        raise ValidationFailed("ข้อมูลโครงการไม่ถูกต้อง", row_errors(errors))
    return save_report(session, memo, user, header, projects)


def save_imported(session: Session, memo: Memo, user: User, header_data: dict, projects: list[pr.Project],
                  errors: list[dict]) -> PlanReport:
    """A project list read from a file: refused whole, naming each row and column, when any row is invalid."""
    header = validate_header(header_data)
    if errors:
        raise ValidationFailed("ข้อมูลโครงการไม่ถูกต้อง ยังไม่มีการบันทึกข้อมูลใด ๆ", row_errors(errors))
    return save_report(session, memo, user, header, projects)


def row_errors(errors: list[dict]) -> dict:
    """Import errors as API fields: ``projects.<row>.<column>`` -> Thai message."""
    fields: dict[str, str] = {}
    for e in errors:
        key = f"projects.{e['row']}.{e['column']}" if e.get("row") else str(e.get("column") or "file")
        fields[key] = e["message"] if key not in fields else fields[key] + "; " + e["message"]
    return fields


def summary(report: PlanReport, org: Organization) -> dict:
    projects = projects_of(report)
    return pr.compute(projects, report.minimum_projects, thresholds_for(org))


def as_input(report: PlanReport) -> dict:
    return {
        "fiscal_year": report.fiscal_year, "round": report.round, "minimum_projects": report.minimum_projects,
        "projects": [p.as_dict() for p in projects_of(report)], "problems": list(report.problems or []),
        "suggestions": list(report.suggestions or []), "reporter_name": report.reporter_name,
        "reporter_position": report.reporter_position,
    }


def print_context(report: PlanReport, org: Organization) -> dict:
    """The ``memo.plan_report`` dict the printed attachment needs (see _plan_report.html)."""
    digits = org.uses_thai_digits
    figures = summary(report, org)
    data = as_input(report)
    data.update({
        "organization_name": org.name, "district": org.district, "province": org.province,
        "period_text": pr.period_text(report.fiscal_year, report.round, digits),
        "summary": figures, "summary_lines": pr.summary_lines(figures, digits),
    })
    data["print"] = pr.plan_report_print_context(data, figures, digits)
    return data


def attach_reference_report(session: Session, memo: Memo, user: User) -> PlanReport:
    """The reference memo's report (demo data shipped in approval/plan_report)."""
    from . import demo as ref
    from .io import load_demo_projects

    header = {"fiscal_year": ref.FISCAL_YEAR, "round": ref.ROUND, "minimum_projects": ref.MINIMUM_PROJECTS,
              "problems": list(ref.PROBLEMS), "suggestions": list(ref.SUGGESTIONS),
              "reporter_name": ref.REPORTER_NAME, "reporter_position": ref.REPORTER_POSITION}
    return save_report(session, memo, user, header, load_demo_projects())
