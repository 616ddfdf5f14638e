"""Archive pages: the archive search, the register of numbers (+ CSV), the integrity report."""

from __future__ import annotations

import dataclasses

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ..errors import DomainError
from ..extensions import db
from ..labels import DECISION_LABELS
from ..models import Decision, Role
from ..numbers import parse_id, to_int
from ..services import archive as archive_service
from ..services import archive_view
from ..services import memos as memo_service
from ..services import register as register_service
from ..services import search as search_service
from ..thai import be_year, to_local, utcnow
from .paging import page_arg, paged
from .unit import attempt

bp = Blueprint("archive", __name__, url_prefix="/archive")

PER_PAGE = 20
FILTER_INTS = ("year", "fiscal_year", "author", "person")
YEAR_FILTERS = ("year", "fiscal_year")


@bp.before_request
@login_required
def _signed_in():
    """Every archive page needs a signed-in user."""


def _user():
    return current_user._get_current_object()


def _filters() -> tuple[archive_service.ArchiveFilters, dict]:
    args = {k: (request.args.get(k) or "").strip() for k in ("q", "state", "decision", *FILTER_INTS)}
    # A year out of range (2024 typed for 2567) still reaches the service, which says why.
    ints = {key: to_int(args[key], 0, 99_999) if key in YEAR_FILTERS else parse_id(args[key]) for key in FILTER_INTS}
    filters = archive_service.ArchiveFilters(
        q=args["q"][:100], year=ints["year"], fiscal_year=ints["fiscal_year"],
        state=args["state"] or None, decision=args["decision"] or None,
        author_id=ints["author"], person_id=ints["person"],
    )
    return filters, {k: v for k, v in args.items() if v}


@bp.route("/")
def index():
    """แฟ้มเอกสาร: the archive with its filters and Thai text search."""
    user = _user()
    filters, args = _filters()

    def fetch(page: int) -> tuple[list, int]:
        """One page of the archive's search and its total (the PDFs' hashes come with their
        check's state, below)."""
        found, count, _ = archive_service.search_archive(db.session, user, filters, page=page,
                                                         per_page=PER_PAGE, hashes=False)
        return found, count

    refused = False
    try:
        items, total, page, pages = paged(fetch, page_arg(), PER_PAGE)
    except DomainError as exc:
        flash(exc.message, "danger")
        items, total, page, pages = [], 0, 1, 1
        refused = True
    this_year = be_year(to_local(utcnow()).date())
    suggestion = None
    if not total and not refused and search_service.terms(filters.q):
        suggestion = archive_view.suggest(db.session, user, filters.q, lambda q: _finds(user, filters, q))
    return render_template(
        "archive/index.html", items=items, total=total, page=page, pages=pages,
        snippets=archive_view.snippets(db.session, items, filters.q),
        checks=archive_view.integrity_status(db.session, user.organization, [m.id for m in items]),
        suggestion=suggestion,
        suggestion_args={**args, "q": suggestion} if suggestion else None,
        can_verify=user.has_role(Role.RECORDS) or user.has_role(Role.ADMIN),
        args=args, filters=filters, people=archive_service.people(db.session, user),
        years=list(range(this_year, this_year - 11, -1)),
        decisions=[(d.value, DECISION_LABELS[d]) for d in Decision],
        can_file=user.has_role(Role.RECORDS), cap=search_service.COUNT_CAP,
    )


def _finds(user, filters: archive_service.ArchiveFilters, q: str) -> bool:
    """Whether the archive search with these filters and the query q finds anything for user."""
    query = archive_service.archive_query(db.session, user, dataclasses.replace(filters, q=q))
    dialect = db.session.get_bind().dialect.name
    found, _ = search_service.apply_search(query, q, user.organization_id, dialect)
    return search_service.capped_count(db.session, found, 0) > 0


@bp.route("/<int:memo_id>/file", methods=["POST"])
def file_memo(memo_id: int):
    """จัดเก็บเข้าแฟ้ม: the records officer archives a decided memo (through the workflow)."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    with attempt() as work:
        memo_service.act(db.session, memo, _user(), "archive")
    if work.failed:
        return redirect(url_for("archive.index"), 303)
    flash(f"จัดเก็บหนังสือ {memo.number or ''} เข้าแฟ้มแล้ว", "success")
    return redirect(request.form.get("back") if _safe_back() else url_for("archive.index"), 303)


def _safe_back() -> bool:
    back = request.form.get("back") or ""
    return back.startswith("/archive") and "//" not in back and "\\" not in back


def _register_year() -> tuple[int, list[int]]:
    years = register_service.years(db.session, _user())
    this_year = be_year(to_local(utcnow()).date())
    raw = (request.args.get("year") or "").strip()
    year = to_int(raw, 2543, 2743) if raw else (years[0] if years else this_year)
    if year is None or not 2543 <= year <= 2743:
        abort(404)
    return year, sorted(set(years) | {this_year}, reverse=True)


@bp.route("/register")
def register():
    """ทะเบียนหนังสือส่ง: the register of one Buddhist Era year."""
    year, years = _register_year()
    user = _user()
    entries = register_service.entries(db.session, user, year)
    lines = register_service.rows(entries, user.organization.uses_thai_digits)
    return render_template("archive/register.html", year=year, years=years,
                           lines=list(zip(entries, lines, strict=True)), header=register_service.HEADER,
                           subject_column=register_service.COLUMN["เรื่อง"])


@bp.route("/register.csv")
def register_csv():
    """The register of one year as CSV."""
    year, _ = _register_year()
    user = _user()
    entries = register_service.entries(db.session, user, year)
    content = register_service.to_csv(register_service.rows(entries, user.organization.uses_thai_digits))
    response = Response(content, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="register-{year}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/integrity")
def integrity():
    """The organisation's integrity report (records officers and administrators)."""
    user = _user()
    if not (user.has_role(Role.RECORDS) or user.has_role(Role.ADMIN)):
        abort(403)
    through = archive_view.last_document_id(db.session, user.organization_id)
    problems = archive_service.verify_archive(db.session, user.organization_id)
    with attempt(flash_error=False) as work:  # remembered, so the archive can say "checked on ..."
        archive_view.record_integrity_check(db.session, user.organization, (p.memo_id for p in problems),
                                            through, ok=not problems)
    checked_at = None if work.failed else utcnow()
    return render_template("archive/integrity.html", problems=problems, checked_at=checked_at)
