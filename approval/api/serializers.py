"""Models -> the JSON shapes of API.md (Memo, Step, Event, UserSummary, User, PlanReport).

Money and percentages are strings with two decimals, dates YYYY-MM-DD, datetimes ISO 8601
with the UTC offset, Thai text NFC.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from typing import Any

from flask import url_for
from sqlalchemy.orm import selectinload

from ..models import Appointment, Memo, MemoDocument, MemoState, PlanReport, Step, User
from ..models import Event as EventRow
from ..plan_report import compute as plan_report
from ..plan_report import service as plans

PROJECT_KEYS = ("no", "dimension", "name", "budget", "ordinance_budget", "disbursed", "status",
                "in_ordinance", "note", "reason")
ROW_KEYS = ("dimension", "projects_planned", "projects_done", "budget_planned", "budget_ordinance",
            "budget_used", "pct_projects", "pct_budget")


def text(value: str | None) -> str | None:
    """A string as the API gives it (NFC, never None)."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def when(moment: dt.datetime | None) -> str | None:
    """ISO 8601 with offset, always UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # the UTC columns are aware; be safe with anything else
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat()


def day(value: dt.date | None) -> str | None:
    """A date as YYYY-MM-DD."""
    return value.isoformat() if value is not None else None


def decimal2(value: Decimal | int | str | None) -> str:
    """``"105000.00"``."""
    return f"{Decimal(value or 0).quantize(Decimal('0.01')):f}"


def _value(enum_or_none) -> str | None:
    return enum_or_none.value if enum_or_none is not None else None


def user_summary(user: User | None) -> dict | None:
    """A person as UserSummary (id, name, position)."""
    if user is None:
        return None
    return {"id": user.id, "full_name": text(user.full_name), "position": text(user.position)}


def user_full(user: User) -> dict:
    """The caller as /me gives them."""
    org = user.organization
    return {
        "id": user.id, "username": user.username, "full_name": text(user.full_name),
        "position": text(user.position), "division": text(user.division or ""),
        "organization": {"id": org.id, "name": text(org.name)},
        "roles": sorted(r.value for r in user.roles),
    }


def step(s: Step) -> dict:
    """A Step as the contract's JSON."""
    return {
        "seq": s.seq, "title": text(s.title), "kind": s.kind.value, "assignee": user_summary(s.assignee),
        "acting": text(s.acting) or None, "status": s.status.value, "decision": _value(s.decision),
        "comment": text(s.comment or ""), "signed_at": when(s.signed_at), "round": s.round,
        "group": s.group, **signer(s),
    }


def signer(s: Step) -> dict:
    """Who signed the step (their name and position as kept at signing), in which capacity, on whose
    behalf (the assignee, with their position as it was then). No queries: the step's own columns."""
    if s.signed_at is None or s.signed_by_id is None:
        return {"signed_by": None, "capacity": None, "on_behalf_of": None}
    own = s.signed_by_id == s.assignee_id
    signed_by = {"id": s.signed_by_id,
                 "full_name": text(s.signer_name or (s.assignee.full_name if own else "")),
                 "position": text(s.signer_position or (s.assignee.position if own else ""))}
    on_behalf_of = None
    if s.capacity and s.on_behalf_of_id is not None:
        on_behalf_of = {"id": s.on_behalf_of_id, "full_name": text(s.assignee.full_name),
                        "position": text(s.on_behalf_of_position or s.assignee.position)}
    return {"signed_by": signed_by, "capacity": s.capacity, "on_behalf_of": on_behalf_of}


def appointment(a: Appointment) -> dict:
    """Appointment = {"id", "kind", "holder", "stand_in", "starts_on", "ends_on", "order_number",
    "order_date", "note", "ended_at"}."""
    return {
        "id": a.id, "kind": a.kind.value, "holder": user_summary(a.holder), "stand_in": user_summary(a.stand_in),
        "starts_on": day(a.starts_on), "ends_on": day(a.ends_on), "order_number": text(a.order_number),
        "order_date": day(a.order_date), "note": text(a.note or ""), "ended_at": when(a.ended_at),
    }


def event(e: EventRow) -> dict:
    """An Event as the contract's JSON."""
    return {
        "at": when(e.at), "actor": user_summary(e.actor), "action": e.action, "from_state": e.from_state,
        "to_state": e.to_state, "step": e.step, "comment": text(e.comment or ""),
    }


#: What a list item (memo(m, full=False)) reads beyond the memo and its author, loaded for the
#: whole page at once: the frozen PDF's hash (never its bytes) and the plan report.
LIST_LOAD = (
    selectinload(Memo.document).load_only(MemoDocument.id, MemoDocument.memo_id, MemoDocument.sha256),
    selectinload(Memo.plan_report).selectinload(PlanReport.projects),
)


def pdf_link(memo: Memo) -> dict | None:
    """Set once the memo is decided: where the frozen bytes are and their SHA-256."""
    if memo.state not in (MemoState.DECIDED, MemoState.ARCHIVED) or memo.document is None:
        return None
    return {"url": url_for("api.memo_pdf", memo_id=memo.id), "sha256": memo.document.sha256}


def memo(m: Memo, *, full: bool = True) -> dict:
    """The Memo of API.md; ``full=False`` leaves out steps and events (list items)."""
    data = {
        "id": m.id, "organization_id": m.organization_id, "state": m.state.value, "number": text(m.number),
        "department": text(m.department), "date": day(m.date), "subject": text(m.subject),
        "addressee": text(m.addressee),
        "sections": [{"title": text(s.get("title")), "body": text(s.get("body"))} for s in (m.sections or [])],
        "closing": text(m.closing), "author": user_summary(m.author), "round": m.round, "version": m.version,
        "current_step": m.current_step, "category": text(m.category or ""),
        "amount": f"{m.amount:.2f}" if m.amount is not None else None, "chain_id": m.chain_id,
        "chain_version": m.chain_version,
    }
    if full:
        from ..attachments.api import attachments

        data["steps"] = [step(s) for s in m.steps]
        data["events"] = [event(e) for e in m.events]
        data["attachments"] = attachments(m)
    data["decision"] = _value(m.decision)
    data["pdf"] = pdf_link(m)
    data["plan_report"] = report(m.plan_report) if m.plan_report is not None else None
    return data


def page(items: list[Memo], total: int, page_no: int, per_page: int) -> dict:
    """A page of items with its total (the list envelope)."""
    return {"items": [memo(m, full=False) for m in items], "total": total, "page": page_no,
            "per_page": per_page}


# --- plan report ------------------------------------------------------------------------

def project(p: dict[str, Any]) -> dict:
    """A plan-report project as JSON."""
    return {
        "no": p["no"], "dimension": p["dimension"], "name": text(p["name"]),
        "budget": decimal2(p["budget"]), "ordinance_budget": decimal2(p["ordinance_budget"]),
        "disbursed": decimal2(p["disbursed"]), "status": p["status"], "in_ordinance": bool(p["in_ordinance"]),
        "note": text(p.get("note") or ""), "reason": text(p.get("reason") or ""),
    }


def _row(r: dict[str, Any]) -> dict:
    return {
        "dimension": r["dimension"], "projects_planned": r["projects_planned"],
        "projects_done": r["projects_done"], "budget_planned": decimal2(r["budget_planned"]),
        "budget_ordinance": decimal2(r["budget_ordinance"]), "budget_used": decimal2(r["budget_used"]),
        "pct_projects": decimal2(r["pct_projects"]), "pct_budget": decimal2(r["pct_budget"]),
    }


def report(r: PlanReport) -> dict:
    """PlanReport = {"input", "summary", "warnings"}."""
    figures = plans.summary(r, r.memo.organization)
    given = plans.as_input(r)
    return {
        "input": {
            "fiscal_year": given["fiscal_year"], "round": given["round"],
            "minimum_projects": given["minimum_projects"],
            "projects": [project(p) for p in given["projects"]],
            "problems": [text(t) for t in given["problems"]],
            "suggestions": [text(t) for t in given["suggestions"]],
            "reporter_name": text(given["reporter_name"]), "reporter_position": text(given["reporter_position"]),
        },
        "summary": {
            "dimensions": [_row(row) for row in figures["dimensions"]],
            "total": _row(figures["total"]),
            "status_counts": dict(figures["status_counts"]),
            "in_ordinance": figures["in_ordinance"],
            "minimum_projects": figures["minimum_projects"],
            "implementation_pct": decimal2(figures["implementation_pct"]),
            "implementation_capped": bool(figures["implementation_capped"]),
            "level": text(figures["level"]),
        },
        "warnings": [
            {"code": w["code"], "no": w.get("no"), "message": text(w["message"])}
            for w in plan_report.warnings(plans.projects_of(r))
        ],
    }
