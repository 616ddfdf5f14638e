"""The plan report's endpoints of /api/v1, on the ``api`` blueprint (endpoints ``api.*_plan_report``).

``approval.api.register_api`` imports this module before it registers the blueprint, so
that these routes are part of it; the JSON shapes are in ``approval.api.serializers``.
"""

from __future__ import annotations

from decimal import InvalidOperation

from flask import g, jsonify, request

from ..api import serializers as out
from ..api.errors import ApiError
from ..api.parsing import json_object, small_int_text
from ..api.views import bp
from ..errors import NotFound
from ..extensions import db
from ..services import memos
from ..transaction import commit
from . import io as plan_io
from . import service as plans

REPORT_FIELDS = frozenset({"fiscal_year", "round", "minimum_projects", "projects", "problems", "suggestions",
                           "reporter_name", "reporter_position"})
CSV_HEADER_PARAMS = ("fiscal_year", "round", "minimum_projects")


@bp.get("/memos/<int:memo_id>/plan-report")
def get_plan_report(memo_id: int):
    """The attached plan report with its computed summary."""
    memo = memos.get_memo(db.session, g.api_user, memo_id)
    if memo.plan_report is None:
        raise NotFound("หนังสือนี้ยังไม่มีรายงานแนบ")
    return jsonify(out.report(memo.plan_report))


@bp.put("/memos/<int:memo_id>/plan-report")
def put_plan_report(memo_id: int):
    """Replace the attached plan report (JSON or CSV; author, while editable)."""
    memo = memos.get_memo(db.session, g.api_user, memo_id)
    try:
        if request.mimetype == "text/csv":
            report = _save_csv(memo)
        else:
            data = json_object(REPORT_FIELDS)
            _check_header_numbers(data)
            report = plans.save_from_json(db.session, memo, g.api_user, data)
    except InvalidOperation:
        # plan_io.parse_amount cannot quantize amounts of 27 digits or more (reported upstream):
        # an absurd amount is the client's error, never a 500.
        raise ApiError(422, "จำนวนเงินเกินกำหนด", {"projects": "จำนวนเงินต้องไม่เกิน 999,999,999,999.99"}) from None
    commit()
    return jsonify(out.report(report))


def _check_header_numbers(data: dict) -> None:
    problems: dict[str, str] = {}
    small_int_text(data, CSV_HEADER_PARAMS, problems)
    if problems:
        raise ApiError(422, "ข้อมูลรายงานไม่ถูกต้อง", problems)


def _save_csv(memo):
    """CSV rows alone; the header from the query (defaulting to the report already attached)."""
    header: dict = {}
    if memo.plan_report is not None:
        header = {k: v for k, v in plans.as_input(memo.plan_report).items() if k != "projects"}
    for key in CSV_HEADER_PARAMS:
        if key in request.args:
            header[key] = request.args[key]
    _check_header_numbers({key: request.args[key] for key in CSV_HEADER_PARAMS if key in request.args})
    projects, errors = plan_io.parse_csv(request.get_data(cache=True))
    return plans.save_imported(db.session, memo, g.api_user, header, projects, errors)
