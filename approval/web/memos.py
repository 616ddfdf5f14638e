"""Memo pages: inbox, my memos, write/edit, the memo itself, chain actions, the PDF."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from .. import workflow
from ..errors import DomainError
from ..extensions import db
from ..forms import ActionForm, MemoForm
from ..labels import ACTION_DONE
from ..notifications.service import WAITING_LABELS
from ..numbers import parse_id, parse_index
from ..plan_report import service as plan_service
from ..services import appointments, documents
from ..services import chains as chain_service
from ..services import memos as memo_service
from .auth import end_current_session
from .paging import page_arg, paged
from .unit import attempt

bp = Blueprint("memos", __name__)

PER_PAGE = 20


@bp.before_request
@login_required
def _signed_in():
    """Every memo page needs a signed-in user."""


def _user():
    return current_user._get_current_object()


@bp.route("/")
def index():
    """The home page is the inbox."""
    return redirect(url_for("memos.inbox"))


@bp.route("/inbox")
def inbox():
    """งานรอพิจารณา: everything waiting for the signed-in person, paged."""
    items, total, page, pages = paged(
        lambda p: memo_service.inbox_page(db.session, _user(), page=p, per_page=PER_PAGE), page_arg(), PER_PAGE)
    g.inbox_badge = total  # the navigation badge shows the same count: count once
    notes = appointments.inbox_notes(db.session, _user(), [item.memo for item in items])
    return render_template("memos/inbox.html", items=items, total=total, page=page, pages=pages,
                           waiting_labels=WAITING_LABELS, notes=notes)


@bp.route("/memos")
def mine():
    """หนังสือของฉัน: the person's own memos, by state, paged."""
    state = request.args.get("state", "")
    try:
        items, total, page, pages = paged(
            lambda p: memo_service.list_memos(db.session, _user(), state=state or None, mine=True,
                                              page=p, per_page=PER_PAGE), page_arg(), PER_PAGE)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("memos.mine"))
    return render_template("memos/mine.html", items=items, total=total, state=state, page=page, pages=pages)


# --- writing ----------------------------------------------------------------------------

def _apply_section_command(form: MemoForm) -> bool:
    """Add, remove or move a section (the no-JavaScript path). True when the form changed."""
    command = form.section_cmd.data or ""
    if not command:
        return False
    sections = [{"title": s.form.title.data or "", "body": s.form.body.data or ""} for s in form.sections]
    verb, _, arg = command.partition(":")
    index = parse_index(arg)
    if verb == "add" and len(sections) < min(form.sections.max_entries, memo_service.SECTIONS_MAX):
        sections.append({"title": "", "body": ""})
    elif verb == "remove" and 0 <= index < len(sections) and len(sections) > 1:
        sections.pop(index)
    elif verb == "up" and 0 < index < len(sections):
        sections[index - 1], sections[index] = sections[index], sections[index - 1]
    elif verb == "down" and 0 <= index < len(sections) - 1:
        sections[index + 1], sections[index] = sections[index], sections[index + 1]
    while len(form.sections):
        form.sections.pop_entry()
    for section in sections:
        form.sections.append_entry(section)
    return True


def _render_form(form: MemoForm, memo=None, errors=None, status=200):
    return render_template("memos/form.html", form=form, memo=memo, errors=errors or {},
                           be_date=_be_date(form.date.data), categories=_categories()), status


def _categories() -> list[str]:
    """The categories offered: the organisation's chains' and the usual ones."""
    own = [c.category for c in chain_service.chains_of(db.session, _user().organization_id) if c.category]
    return list(dict.fromkeys([*own, *chain_service.CATEGORIES]))


def _be_date(value: str | None) -> str:
    from ..thai import thai_date

    try:
        return thai_date(dt.date.fromisoformat(value or ""))
    except ValueError:
        return ""


@bp.route("/memos/new", methods=["GET", "POST"])
def new():
    """Write a new memo (saved as a draft)."""
    form = MemoForm()
    if request.method == "GET":
        user = _user()
        form.department.data = f"{user.organization.name}"
        form.date.data = dt.date.today().isoformat()
        form.closing.data = "จึงเรียนมาเพื่อโปรดทราบ"
        return _render_form(form)
    if not form.validate_on_submit():
        return _render_form(form, status=400)
    if _apply_section_command(form):
        return _render_form(form)
    with attempt() as work:
        memo = memo_service.create_memo(db.session, _user(), form.memo_data())
    if work.failed:
        return _render_form(form, errors=work.error.fields, status=work.error.status)
    flash("บันทึกร่างหนังสือแล้ว", "success")
    return redirect(url_for("memos.detail", memo_id=memo.id))


@bp.route("/memos/<int:memo_id>/edit", methods=["GET", "POST"])
def edit(memo_id: int):
    """Edit a draft or returned memo (its author only)."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    if not memo.can_edit(_user()):
        flash("แก้ไขได้เฉพาะผู้จัดทำ และเฉพาะหนังสือที่เป็นร่างหรือถูกส่งคืนแก้ไข", "warning")
        return redirect(url_for("memos.detail", memo_id=memo.id))
    if request.method == "GET":
        form = MemoForm(data={
            "department": memo.department, "date": memo.date.isoformat(), "subject": memo.subject,
            "addressee": memo.addressee, "sections": memo.sections or [{"title": "", "body": ""}],
            "closing": memo.closing, "version": str(memo.version), "category": memo.category or "",
            "amount": chain_service.money_text(memo.amount) or "",
        })
        return _render_form(form, memo)
    form = MemoForm()
    if not form.validate_on_submit():
        return _render_form(form, memo, status=400)
    if _apply_section_command(form):
        return _render_form(form, memo)
    with attempt() as work:
        memo_service.update_memo(db.session, memo, _user(), form.memo_data(),
                                 expected_version=form.seen_version())
    if work.failed:
        return _render_form(form, memo, errors=work.error.fields, status=work.error.status)
    flash("บันทึกการแก้ไขแล้ว", "success")
    return redirect(url_for("memos.detail", memo_id=memo.id))


# --- the memo ---------------------------------------------------------------------------

def _detail_context(memo, action_form=None, action_errors=None, failed_action=None) -> dict:
    user = _user()
    rounds: dict[int, list] = {}
    for step in memo.steps:
        rounds.setdefault(step.round, []).append(step)
    pending = memo.pending_step
    standing = appointments.standing(db.session, user) if pending is not None else workflow.NO_STANDING
    allowed = [a.value for a in workflow.allowed_actions(memo, user, standing)]
    covers = appointments.covering(db.session, [s.assignee_id for s in memo.pending_steps]) if pending else {}
    my_turn = workflow.turn(memo, user, standing)
    pending = workflow.turn_step(memo, my_turn) or pending  # a group: the step that is this user's
    options = chain_service.applicable(db.session, memo) if "submit" in allowed else []
    chosen = action_form.chain_id.data if action_form is not None and action_form.chain_id.data else memo.chain_id
    plan_summary = None
    if memo.plan_report is not None:
        plan_summary = plan_service.summary(memo.plan_report, memo.organization)
    return {
        "memo": memo, "allowed": allowed, "rounds": rounds,
        "current_steps": rounds.get(memo.round, []),
        "earlier_rounds": [(r, rounds[r]) for r in sorted(rounds) if r != memo.round],
        "pending": pending, "covers": covers, "my_turn": my_turn,
        "chain_options": options, "chosen_chain_id": parse_id(str(chosen)) if chosen else None,
        "taken_chain": chain_service.get_chain(db.session, user, memo.chain_id) if memo.chain_id else None,
        "form": action_form or ActionForm(),
        "action_errors": action_errors or {}, "failed_action": failed_action,
        "needs_password": bool(memo.organization.setting("require_signing_password")),
        "can_edit": memo.can_edit(user),
        "plan_summary": plan_summary,
        # The plan report is one kind of attachment, offered only where the organisation uses it.
        "show_plan_report": memo.plan_report is not None
        or bool(memo.organization.setting("plan_report") and memo.can_edit(user)),
        "digits": memo.organization.uses_thai_digits,
    }


@bp.route("/memos/<int:memo_id>")
def detail(memo_id: int):
    """The memo laid out like the paper, with its chain, history and the actions allowed now."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    return render_template("memos/detail.html", **_detail_context(memo))


@bp.route("/memos/<int:memo_id>/action", methods=["POST"])
def action(memo_id: int):
    """Take one chain action (submit, forward, return, withdraw, order, archive, cancel)."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    name = form.action.data or ""
    with attempt() as work:
        memo_service.act(db.session, memo, _user(), name, comment=form.comment.data or "",
                         decision=form.decision.data or None, password=form.password.data or None,
                         chain_id=form.chain_id.data or None)
    if work.failed:
        exc = work.error
        if getattr(exc, "ends_session", False):  # too many wrong confirmations: sign in again
            end_current_session("confirmation_failed", exc.message)
            return redirect(url_for("auth.login"))
        memo = memo_service.get_memo(db.session, _user(), memo_id)
        form.password.data = ""
        errors = {"password": exc.message} if exc.code == "confirmation_failed" else dict(exc.fields)
        context = _detail_context(memo, form, errors or {"_": exc.message}, name)
        return render_template("memos/detail.html", **context), exc.status
    flash(ACTION_DONE.get(name, "ดำเนินการแล้ว"), "success")
    return redirect(url_for("memos.detail", memo_id=memo.id))


@bp.route("/memos/<int:memo_id>/pdf")
def pdf(memo_id: int):
    """The memo's PDF: a preview marked ร่าง, or the frozen bytes once decided."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    content, sha256 = documents.pdf_for(memo)
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="memo-{memo.id}.pdf"'
    if sha256:
        response.headers["X-Content-SHA256"] = sha256
    response.headers["Cache-Control"] = "private, no-store"
    return response
