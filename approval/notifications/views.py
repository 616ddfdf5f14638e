"""Pages: the notifications under the bell, one's settings (under the profile), and for admins
the deliveries (dead letters, with a retry button) and the organisation's days off."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import BooleanField, DateField, IntegerField, StringField

from .. import thai
from ..extensions import db
from ..forms import AppForm
from ..models import Role
from ..web.paging import page_arg
from ..web.unit import attempt
from . import service
from .models import DeliveryState
from .workdays import public_holidays

bp = Blueprint("notifications", __name__)
PER_PAGE = 30


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


@bp.context_processor
def _context():
    return {"roles": Role, "kind_labels": {k.value: v for k, v in service.KIND_LABELS.items()}}


def _user():
    return current_user._get_current_object()


def _admin():
    user = _user()
    if not user.has_role(Role.ADMIN):
        abort(403)
    return user


class SettingsForm(AppForm):
    """One's notification settings."""
    email = StringField("อีเมลสำหรับรับการแจ้งเตือน")
    email_enabled = BooleanField("แจ้งทางอีเมล")
    line_enabled = BooleanField("แจ้งทาง LINE")
    line_user_id = StringField("LINE user ID")
    digest = BooleanField("สรุปรวมวันละครั้ง (แทนการแจ้งทุกเรื่อง)")


class DayOffForm(AppForm):
    """An organisation's day off."""
    day = DateField("วันที่")
    name = StringField("ชื่อวันหยุด")


class RemindForm(AppForm):
    """When to remind and when to escalate."""
    remind_after_days = IntegerField("เตือนผู้รับเมื่อค้างครบ (วันทำการ)")
    escalate_after_days = IntegerField("แจ้งผู้บังคับบัญชาลำดับถัดไปเมื่อค้างครบ (วันทำการ)")


class ActionForm(AppForm):
    """CSRF only (buttons)."""


# --- the bell ---------------------------------------------------------------------------------

@bp.route("/notifications")
def index():
    """The notification list (the bell's page)."""
    unread = request.args.get("unread") == "1"
    page = page_arg()
    items, unread_count = service.list_notifications(db.session, _user(), unread=unread, page=page,
                                                      per_page=PER_PAGE)
    return render_template("notifications/list.html", items=items, unread=unread, unread_count=unread_count,
                           page=page, has_next=len(items) == PER_PAGE, form=ActionForm())


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
def read(notification_id: int):
    """Mark one notification read (and open its memo)."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    with attempt() as work:
        found = service.mark_read(db.session, _user(), notification_id)
        memo_id = found.memo_id
    if work.failed:
        return redirect(url_for("notifications.index"))
    if request.form.get("open") and memo_id:
        return redirect(url_for("memos.detail", memo_id=memo_id))
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/read-all", methods=["POST"])
def read_all():
    """Mark every notification read."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    with attempt() as work:
        count = service.mark_all_read(db.session, _user())
    if not work.failed:
        flash(f"ทำเครื่องหมายว่าอ่านแล้ว {thai.thai_digits(count)} รายการ", "success")
    return redirect(url_for("notifications.index"))


# --- one's own settings -----------------------------------------------------------------------

@bp.route("/profile/notifications", methods=["GET", "POST"])
def settings():
    """One's e-mail, LINE and digest settings."""
    user = _user()
    prefs = service.get_settings(db.session, user)
    form = SettingsForm(obj=prefs)
    errors: dict[str, str] = {}
    status = 200
    if form.validate_on_submit():
        data = {"email": form.email.data or "", "line_user_id": form.line_user_id.data or "",
                "channels": {"email": bool(form.email_enabled.data), "line": bool(form.line_enabled.data)},
                "digest": bool(form.digest.data)}
        with attempt() as work:
            service.update_settings(db.session, user, data)
        if not work.failed:
            flash("บันทึกการตั้งค่าการแจ้งเตือนแล้ว", "success")
            return redirect(url_for("notifications.settings"))
        errors, status = work.error.fields, work.error.status
    elif request.method == "POST":
        status = 400
    return render_template("notifications/settings.html", form=form, errors=errors), status


# --- admin: deliveries and days off -----------------------------------------------------------

@bp.route("/admin/notifications")
def deliveries():
    """Failed and dead deliveries (administrators)."""
    admin = _admin()
    state = request.args.get("state") or "dead"
    if state not in {s.value for s in DeliveryState} | {"all"}:
        state = "dead"
    items = service.deliveries(db.session, admin.organization_id, None if state == "all" else state)
    counts = service.delivery_counts(db.session, admin.organization_id)
    return render_template("notifications/deliveries.html", items=items, counts=counts, state=state,
                           form=ActionForm())


@bp.route("/admin/notifications/<int:delivery_id>/retry", methods=["POST"])
def retry(delivery_id: int):
    """Try a dead delivery again."""
    admin = _admin()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    with attempt() as work:
        service.retry_delivery(db.session, admin.organization_id, delivery_id)
    if not work.failed:
        flash("ส่งซ้ำแล้ว: รายการกลับเข้าคิวรอส่ง", "success")
    return redirect(url_for("notifications.deliveries", state=request.form.get("state") or "dead"))


@bp.route("/admin/days-off", methods=["GET", "POST"])
def days_off():
    """The organisation's days off and reminder settings."""
    admin = _admin()
    org = admin.organization
    form = DayOffForm(prefix="off")
    remind_after, escalate_after = service.remind_settings(org)
    remind = RemindForm(prefix="remind", data={"remind_after_days": remind_after,
                                               "escalate_after_days": escalate_after})
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if request.form.get("what") == "remind" and remind.validate_on_submit():
            with attempt() as work:
                service.set_remind_settings(db.session, org, remind.remind_after_days.data,
                                            remind.escalate_after_days.data, actor=admin)
            if not work.failed:
                flash("บันทึกการตั้งค่าการเตือนแล้ว", "success")
                return redirect(url_for("notifications.days_off"))
            errors, status = work.error.fields, work.error.status
        elif request.form.get("what") == "add" and form.validate_on_submit():
            with attempt() as work:
                service.add_day_off(db.session, org, form.day.data, form.name.data or "", actor=admin)
            if not work.failed:
                flash("เพิ่มวันหยุดของหน่วยงานแล้ว", "success")
                return redirect(url_for("notifications.days_off"))
            errors, status = work.error.fields, work.error.status
        else:
            errors = {"day": "กรุณาเลือกวันที่", "remind_after_days": "กรุณาระบุจำนวนวันเป็นตัวเลข"}
            status = 422
    year = thai.to_local(thai.utcnow()).year
    holidays = sorted(public_holidays(year).items())
    return render_template("notifications/days_off.html", form=form, remind=remind, errors=errors,
                           items=service.days_off(db.session, org.id), holidays=holidays, year=year,
                           action_form=ActionForm(), today=dt.date.today()), status


@bp.route("/admin/days-off/<int:day_off_id>/delete", methods=["POST"])
def delete_day_off(day_off_id: int):
    """Remove a day off."""
    admin = _admin()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    with attempt() as work:
        service.remove_day_off(db.session, admin.organization, day_off_id, actor=admin)
    if not work.failed:
        flash("ลบวันหยุดแล้ว", "success")
    return redirect(url_for("notifications.days_off"))
