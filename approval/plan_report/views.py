"""The plan report attached to a memo: its tables, the editor, import and export."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from ..errors import NotFound
from ..extensions import db
from ..services import memos as memo_service
from ..thai import thai_digits
from ..web.unit import attempt
from . import compute as pr
from . import io as plan_io
from . import service as plan_service
from .forms import PlanHeaderForm, PlanImportForm

bp = Blueprint("plans", __name__)

#: Columns of the editable table, in order (the names of the <input>s are "p_<column>").
EDIT_COLUMNS = ("no", "dimension", "name", "budget", "ordinance_budget", "disbursed", "status",
                "in_ordinance", "reason", "note")
BLANK_ROWS = 3
IMPORT_TYPES = {".csv": plan_io.parse_csv, ".xlsx": plan_io.parse_xlsx}


@bp.before_request
@login_required
def _signed_in():
    """Every plan page needs a signed-in user."""


def _user():
    return current_user._get_current_object()


def rows_from_form(form) -> list[dict]:
    """The table's rows as dicts of raw strings, in the order the page sent them."""
    columns = {c: form.getlist(f"p_{c}") for c in EDIT_COLUMNS}
    count = max((len(v) for v in columns.values()), default=0)
    return [{c: (columns[c][i] if i < len(columns[c]) else "") for c in EDIT_COLUMNS} for i in range(count)]


def _cell_errors(fields: dict) -> tuple[dict, dict]:
    """ValidationFailed.fields -> ({(row, column): message}, {header field: message})."""
    cells, header = {}, {}
    for key, message in fields.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "projects" and parts[1].isascii() and parts[1].isdigit():
            cells[(int(parts[1]), parts[2])] = message
        else:
            header[key] = message
    return cells, header


def _header_form(report, form_class=PlanHeaderForm, **kwargs):
    if report is None:
        return form_class(**kwargs)
    return form_class(data={
        "fiscal_year": str(report.fiscal_year), "round": str(report.round),
        "minimum_projects": str(report.minimum_projects),
        "problems": "\n".join(report.problems or []), "suggestions": "\n".join(report.suggestions or []),
    }, **kwargs)


def _page(memo, *, form=None, import_form=None, rows=None, cell_errors=None, header_errors=None,
          import_errors=None, import_header_errors=None, status=200):
    report = memo.plan_report
    figures = plan_service.summary(report, memo.organization) if report is not None else None
    projects = plan_service.projects_of(report) if report is not None else []
    editable = memo.can_edit(_user())
    if rows is None:
        rows = [{c: _cell_text(getattr(p, c)) for c in EDIT_COLUMNS} for p in projects]
    if editable:
        rows = rows + [{} for _ in range(BLANK_ROWS)]  # room to add rows without JavaScript
    return render_template(
        "plans/report.html", memo=memo, report=report, figures=figures, projects=projects,
        warnings=pr.warnings(projects) if projects else [], editable=editable,
        form=form or _header_form(report), import_form=import_form or _header_form(report, PlanImportForm, prefix="imp"),
        import_header_errors=import_header_errors or {},
        rows=rows, cell_errors=cell_errors or {}, header_errors=header_errors or {},
        import_errors=import_errors or [], columns=EDIT_COLUMNS, dimensions=pr.DIMENSIONS,
        status_labels=pr.STATUS_LABELS, column_labels=plan_io.COLUMN_LABELS, options=_OPTIONS,
        template_rules=plan_io.template_rules(),
    ), status


def _options(choices: list[tuple[str, str]]) -> dict[str, Markup]:
    """The <option> list of a select, once per selected value (a 500-row table reuses them).

    Built from the constant choices below, each value and label escaped here.
    """
    return {
        selected: Markup("".join(  # nosec B704
            f'<option value="{escape(v)}"{" selected" if v == selected else ""}>{escape(label)}</option>'
            for v, label in choices))
        for selected, _ in choices
    }


#: The blank choice of a select says so (an empty <option> is invalid HTML).
_OPTIONS = {
    "dimension": _options([("", "เลือก")] + [(str(d), thai_digits(d)) for d in pr.DIMENSIONS]),
    "status": _options([("", "เลือก")] + list(pr.STATUS_LABELS.items())),
    "in_ordinance": _options([("no", "ไม่ใช่"), ("yes", "ใช่")]),
}


def _cell_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


@bp.route("/memos/<int:memo_id>/plan-report")
def show(memo_id: int):
    """The attached plan report: its tables and, for the author, the editor."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    return _page(memo)


@bp.route("/memos/<int:memo_id>/plan-report", methods=["POST"])
def save(memo_id: int):
    """Store the header and the whole table; nothing is stored when any row is invalid."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    form = PlanHeaderForm()
    rows = rows_from_form(request.form)
    if not form.validate_on_submit():
        return _page(memo, form=form, rows=rows, status=400)
    with attempt() as work:
        plan_service.save_from_json(db.session, memo, _user(), {**form.header_data(), "projects": rows})
    if work.failed:
        memo = memo_service.get_memo(db.session, _user(), memo_id)
        cells, header = _cell_errors(work.error.fields)
        return _page(memo, form=form, rows=rows, cell_errors=cells, header_errors=header,
                     status=work.error.status)
    flash("บันทึกรายงานแนบแล้ว", "success")
    return redirect(url_for("plans.show", memo_id=memo.id))


def _read_upload(storage) -> tuple[list, list]:
    """(projects, errors) from an uploaded .csv / .xlsx, checked by extension and by content."""
    name = (storage.filename or "").lower() if storage else ""
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    parse = IMPORT_TYPES.get(suffix)
    if parse is None:
        return [], [{"row": 0, "column": "", "message": "กรุณาเลือกไฟล์ .csv หรือ .xlsx"}]
    data = storage.read(plan_io.MAX_FILE_BYTES + 1)
    if suffix == ".csv" and data.startswith(b"PK\x03\x04"):
        return [], [{"row": 0, "column": "", "message": "ไฟล์: เนื้อหาไม่ใช่ CSV (อาจเป็นไฟล์ Excel ให้ใช้นามสกุล .xlsx)"}]
    return parse(data)


@bp.route("/memos/<int:memo_id>/plan-report/import", methods=["POST"])
def import_file(memo_id: int):
    """Replace the project list from a file; nothing is stored when any row is invalid."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    form = PlanImportForm(prefix="imp")
    if not form.validate_on_submit():
        return _page(memo, import_form=form, status=400)
    projects, errors = _read_upload(form.file.data)
    if errors:
        flash(f"นำเข้าไม่สำเร็จ พบข้อผิดพลาด {thai_digits(len(errors))} รายการ ยังไม่มีการบันทึกข้อมูลใด ๆ", "danger")
        return _page(memo, import_form=form, import_errors=errors, status=422)
    with attempt() as work:
        header = plan_service.validate_header(form.header_data())
        plan_service.save_report(db.session, memo, _user(), header, projects)
    if work.failed:
        memo = memo_service.get_memo(db.session, _user(), memo_id)
        _, header_errors = _cell_errors(work.error.fields)
        return _page(memo, import_form=form, import_header_errors=header_errors, status=work.error.status)
    flash(f"นำเข้ารายการโครงการ {thai_digits(len(projects))} รายการแล้ว", "success")
    return redirect(url_for("plans.show", memo_id=memo.id))


TEMPLATE_TYPES = {
    "csv": (plan_io.template_csv, "text/csv; charset=utf-8"),
    "xlsx": (plan_io.template_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@bp.route("/plan-report/template.<any(csv, xlsx):fmt>")
def template_file(fmt: str):
    """The empty import template: Thai headers (and, in Excel, lists of the allowed words)."""
    make, content_type = TEMPLATE_TYPES[fmt]
    response = Response(make(), content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="plan-report-template.{fmt}"'
    return response


@bp.route("/memos/<int:memo_id>/plan-report.<any(csv, xlsx):fmt>")
def export(memo_id: int, fmt: str):
    """The plan report's projects as CSV or XLSX."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    if memo.plan_report is None:
        raise NotFound("หนังสือนี้ยังไม่มีรายงานแนบ")
    projects = plan_service.projects_of(memo.plan_report)
    if fmt == "csv":
        content, content_type = plan_io.export_csv(projects), TEMPLATE_TYPES["csv"][1]
    else:
        content, content_type = plan_io.export_xlsx(projects), TEMPLATE_TYPES["xlsx"][1]
    # content_type, not mimetype: werkzeug appends "; charset=utf-8" to a text/* mimetype itself
    response = Response(content, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="plan-report-{memo.id}.{fmt}"'
    return response
