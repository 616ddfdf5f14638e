"""Memo pages: inbox, my memos, write/edit, the memo itself, chain actions, the PDF."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm import load_only

from .. import thai, workflow
from ..errors import DomainError
from ..extensions import db
from ..forms import ActionForm, MemoForm, apply_section_command
from ..labels import ACTION_DONE
from ..models import Memo, MemoState
from ..notifications.service import WAITING_LABELS
from ..numbers import parse_id
from ..plan_report import service as plan_service
from ..services import appointments, documents
from ..services import chains as chain_service
from ..services import memos as memo_service
from ..writing import service as writing
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


#: What the inbox page shows of each memo (and inbox_notes reads): not its sections or the rest.
INBOX_COLUMNS = (load_only(Memo.id, Memo.organization_id, Memo.author_id, Memo.state, Memo.number, Memo.date,
                           Memo.subject, Memo.round, Memo.version, Memo.current_step, Memo.pending_assignee_id,
                           Memo.updated_at, Memo.decided_at),)


@bp.route("/inbox")
def inbox():
    """งานรอพิจารณา: everything waiting for the signed-in person, paged."""
    user = _user()
    # The inbox's count and the bell's in one statement; the navigation shows the same ones.
    counts = memo_service.inbox_counts(db.session, user)
    g.nav_counts = (counts.waiting, counts.unread)
    items, total, page, pages = paged(
        lambda p: memo_service.inbox_page(db.session, user, page=p, per_page=PER_PAGE, counts=counts,
                                          load=INBOX_COLUMNS),
        page_arg(), PER_PAGE)
    notes = appointments.inbox_notes(db.session, user, [item.memo for item in items])
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

def _render_form(form: MemoForm, memo=None, errors=None, status=200, chosen_template=None):
    user = _user()
    errors = dict(errors or {})
    day, problem = _form_date(form)
    if problem and request.method == "POST":
        errors["date"] = problem  # the Thai reason, in place of the service's generic one
    # The writing helpers: templates to start a new memo from; a returned memo's reason above its form.
    templates = writing.list_templates(db.session, user.organization_id) if memo is None else []
    return render_template("memos/form.html", form=form, memo=memo, errors=errors,
                           be_date=thai.thai_date(day) if day else "", date_hint=thai.BE_DATE_HINT,
                           memo_templates=templates, chosen_template=chosen_template, categories=_categories(),
                           return_notice=writing.return_notice(memo) if memo is not None else None), status


def _categories() -> list[str]:
    """The categories offered: the organisation's chains' and the usual ones."""
    own = [c.category for c in chain_service.chains_of(db.session, _user().organization_id) if c.category]
    return list(dict.fromkeys([*own, *chain_service.CATEGORIES]))


def _form_date(form: MemoForm) -> tuple[dt.date | None, str | None]:
    """The date typed as วัน/เดือน/ปี พ.ศ.: (the day, None) or (None, why it is not one)."""
    try:
        return thai.parse_be_date(form.date.data), None
    except ValueError as exc:
        return None, str(exc)


def _memo_data(form: MemoForm) -> dict:
    """The form's fields for the services, the date as ISO (left as typed when it is not a date)."""
    data = form.memo_data()
    day, _ = _form_date(form)
    if day is not None:
        data["date"] = day.isoformat()
    return data


@bp.route("/memos/new", methods=["GET", "POST"])
def new():
    """Write a new memo (saved as a draft)."""
    if request.method == "GET":
        # ส่วนราชการ: the writer's division; เรียน: the chain's order step; the rest from a template if chosen.
        raw = request.args.get("template", "").strip()
        chosen = writing.get_template(db.session, _user().organization_id, raw) if raw else None
        form = MemoForm(data=writing.new_memo_fields(db.session, _user(), chosen))
        form.date.data = thai.be_date_text(thai.to_local(thai.utcnow()).date())  # วัน/เดือน/ปี พ.ศ.
        return _render_form(form, chosen_template=chosen)
    form = MemoForm()
    if not form.validate_on_submit():
        return _render_form(form, status=400)
    if apply_section_command(form):
        return _render_form(form)
    with attempt() as work:
        memo = memo_service.create_memo(db.session, _user(), _memo_data(form))
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
            "department": memo.department, "date": thai.be_date_text(memo.date), "subject": memo.subject,
            "addressee": memo.addressee, "sections": memo.sections or [{"title": "", "body": ""}],
            "closing": memo.closing, "version": str(memo.version), "category": memo.category or "",
            "amount": chain_service.money_text(memo.amount) or "",
        })
        return _render_form(form, memo)
    form = MemoForm()
    if not form.validate_on_submit():
        return _render_form(form, memo, status=400)
    if apply_section_command(form):
        return _render_form(form, memo)
    with attempt() as work:
        memo_service.update_memo(db.session, memo, _user(), _memo_data(form),
                                 expected_version=form.seen_version())
    if work.failed:
        return _render_form(form, memo, errors=work.error.fields, status=work.error.status)
    flash("บันทึกการแก้ไขแล้ว", "success")
    return redirect(url_for("memos.detail", memo_id=memo.id))


# --- the memo ---------------------------------------------------------------------------

def _detail_context(memo, action_form=None, action_errors=None, failed_action=None, confirming=None) -> dict:
    user = _user()
    rounds: dict[int, list] = {}
    for step in memo.steps:
        rounds.setdefault(step.round, []).append(step)
    pending = memo.pending_step
    standing, covers = workflow.NO_STANDING, {}
    if pending is not None:  # who may act now and who covers the assignee: one query
        standing, covers = appointments.standing_and_covering(db.session, user, [pending.assignee_id])
    allowed = [a.value for a in workflow.allowed_actions(memo, user, standing)]
    if pending is not None and len(memo.pending_steps) > 1:  # a group: who covers each of them
        covers = appointments.covering(db.session, [s.assignee_id for s in memo.pending_steps])
    my_turn = workflow.turn(memo, user, standing)
    pending = workflow.turn_step(memo, my_turn) or pending  # a group: the step that is this user's
    options = chain_service.applicable(db.session, memo) if "submit" in allowed else []
    chosen = action_form.chain_id.data if action_form is not None and action_form.chain_id.data else memo.chain_id
    plan_summary = None
    if memo.plan_report is not None:
        plan_summary = plan_service.summary(memo.plan_report, memo.organization)
    live_round = memo.round if memo.state is MemoState.IN_REVIEW else None
    return {
        "memo": memo, "allowed": allowed, "rounds": rounds,
        "current_steps": rounds.get(memo.round, []),
        "earlier_rounds": [(r, rounds[r]) for r in sorted(rounds) if r != memo.round],
        # A step not signed in a round that has ended (returned, withdrawn) was never reached.
        "live_round": live_round,
        "pending": pending, "pending_since": _pending_since(memo) if pending is not None else None,
        "covers": covers, "my_turn": my_turn,
        # Who will sign, in order: shown to the author before submitting (the chosen or only chain).
        "signers": memo_service.chain_for(db.session, memo, chosen, options) if "submit" in allowed else [],
        "chain_options": options, "chosen_chain_id": parse_id(str(chosen)) if chosen else None,
        # The action forms read it; a page with no action allowed shows none.
        "form": action_form or (ActionForm() if allowed else None),
        "action_errors": action_errors or {}, "failed_action": failed_action, "confirming": confirming,
        "needs_password": bool(memo.organization.setting("require_signing_password")),
        "can_edit": memo.can_edit(user),
        "plan_summary": plan_summary,
        # The plan report is one kind of attachment, offered only where the organisation uses it.
        "show_plan_report": memo.plan_report is not None
        or bool(memo.organization.setting("plan_report") and memo.can_edit(user)),
        "digits": memo.organization.uses_thai_digits,
        # What changed since the previous round (the next signer's word-level diff).
        "changes": writing.changes_since_last_round(memo),
    }


def _pending_since(memo) -> dt.datetime | None:
    """When the pending step's turn came: the round's last signature, else its submission."""
    signed = [s.signed_at for s in memo.steps if s.round == memo.round and s.signed_at is not None]
    submitted = [e.at for e in memo.events if e.action == "submit"]
    moments = signed + submitted[-1:]
    return max(moments) if moments else None


@bp.route("/memos/<int:memo_id>")
def detail(memo_id: int):
    """The memo laid out like the paper, with its chain, history and the actions allowed now."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    return render_template("memos/detail.html", **_detail_context(memo))


#: Actions whose confirmation is a step of its own, asked once what was written passes.
CONFIRMED_STEP = ("return",)


@bp.route("/memos/<int:memo_id>/action", methods=["POST"])
def action(memo_id: int):
    """Take one chain action (submit, forward, return, withdraw, order, archive, cancel).

    ``stage=check`` (the return's first press) only checks the turn and the reason, then
    shows the confirmation with the password; ``stage=back`` shows the form again as typed.
    """
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    name = form.action.data or ""
    stage = request.form.get("stage", "")
    if stage == "back" and name in CONFIRMED_STEP:
        return render_template("memos/detail.html", **_detail_context(memo, form, {}, name))
    if stage == "check" and name in CONFIRMED_STEP:
        with attempt() as work:
            memo_service.check_action(db.session, memo, _user(), name, comment=form.comment.data or "")
        if not work.failed:
            memo = memo_service.get_memo(db.session, _user(), memo_id)
            return render_template("memos/detail.html", **_detail_context(memo, form, {}, name, confirming=name))
    else:
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
        # A wrong password at the confirmation keeps the confirmation; anything else shows the form.
        confirming = name if name in CONFIRMED_STEP and stage != "check" and set(errors) == {"password"} else None
        context = _detail_context(memo, form, errors or {"_": exc.message}, name, confirming=confirming)
        return render_template("memos/detail.html", **context), exc.status
    flash(ACTION_DONE.get(name, "ดำเนินการแล้ว"), "success")
    return redirect(url_for("memos.detail", memo_id=memo_id))  # memo.id would load the expired row again


@bp.route("/memos/<int:memo_id>/pdf")
def pdf(memo_id: int):
    """The memo's PDF: a preview marked ร่าง, or the frozen bytes once decided."""
    memo = memo_service.get_memo(db.session, _user(), memo_id)
    return documents.pdf_response(memo, request.if_none_match)
