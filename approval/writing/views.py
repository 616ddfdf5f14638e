"""Writing helpers' pages: the administrator's memo templates, and one's own division.

Blueprint ``writing``; the views parse the form, call one verb of :mod:`.service`, commit once
(``web.unit.attempt``). Another organisation's template id is 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import FormField, HiddenField, StringField

from ..extensions import db
from ..forms import FieldList, SectionForm, apply_section_command
from ..models import Role, User
from ..web.unit import attempt
from . import service

bp = Blueprint("writing", __name__)


class TemplateForm(FlaskForm):
    """A memo template: its category, name and the memo text it pre-fills."""

    category = StringField("ประเภทหนังสือ")
    name = StringField("ชื่อแม่แบบ")
    subject = StringField("เรื่อง")
    addressee = StringField("เรียน (เว้นว่าง: ผู้สั่งการในสายการลงนาม)")
    sections = FieldList(FormField(SectionForm), min_entries=1, max_entries=30)
    closing = StringField("ข้อความลงท้าย")
    #: Without JavaScript the section buttons post "add", "remove:N", "up:N", "down:N".
    section_cmd = HiddenField()

    def template_data(self) -> dict:
        """The plain dict service.validate_template takes."""
        return {
            "category": self.category.data or "", "name": self.name.data or "",
            "subject": self.subject.data or "", "addressee": self.addressee.data or "",
            "sections": [{"title": s.form.title.data or "", "body": s.form.body.data or ""} for s in self.sections],
            "closing": self.closing.data or "",
        }


class DivisionForm(FlaskForm):
    """One's own division (ส่วนราชการ)."""

    division = StringField("ส่วนราชการ (สังกัด) ของท่าน")


class DeleteForm(FlaskForm):
    """A delete button (CSRF only)."""


def _user() -> User:
    return current_user._get_current_object()


def _admin() -> User:
    user = _user()
    if not user.has_role(Role.ADMIN):
        abort(403)
    return user


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user; each view checks the role it needs."""


def _render_form(form: TemplateForm, template=None, errors=None, status=200):
    return render_template("writing/template_form.html", form=form, template=template, errors=errors or {},
                           categories=service.CATEGORIES, delete_form=DeleteForm()), status


@bp.route("/admin/memo-templates")
def templates():
    """The organisation's memo templates (administrators)."""
    admin = _admin()
    return render_template("writing/templates.html", items=service.list_templates(db.session, admin.organization_id),
                           delete_form=DeleteForm())


@bp.route("/admin/memo-templates/new", methods=["GET", "POST"])
def template_new():
    """Add a memo template."""
    admin = _admin()
    if request.method == "GET":
        form = TemplateForm(data={"category": request.args.get("category", "")[:100],
                                  "closing": service.DEFAULT_CLOSING})
        return _render_form(form)
    form = TemplateForm()
    if not form.validate_on_submit():
        return _render_form(form, status=400)
    if apply_section_command(form):
        return _render_form(form)
    with attempt() as work:
        service.create_template(db.session, admin.organization, form.template_data(), actor=admin)
    if work.failed:
        return _render_form(form, errors=work.error.fields, status=work.error.status)
    flash(f"เพิ่มแม่แบบ “{form.name.data.strip()}” แล้ว", "success")
    return redirect(url_for("writing.templates"))


@bp.route("/admin/memo-templates/<int:template_id>", methods=["GET", "POST"])
def template_edit(template_id: int):
    """Change a memo template."""
    admin = _admin()
    template = service.get_template(db.session, admin.organization_id, template_id)
    if request.method == "GET":
        form = TemplateForm(data={
            "category": template.category, "name": template.name, "subject": template.subject,
            "addressee": template.addressee, "closing": template.closing,
            "sections": template.sections or [{"title": "", "body": ""}]})
        return _render_form(form, template)
    form = TemplateForm()
    if not form.validate_on_submit():
        return _render_form(form, template, status=400)
    if apply_section_command(form):
        return _render_form(form, template)
    with attempt() as work:
        service.update_template(db.session, template, form.template_data(), actor=admin)
    if work.failed:
        return _render_form(form, template, errors=work.error.fields, status=work.error.status)
    flash(f"บันทึกแม่แบบ “{template.name}” แล้ว", "success")
    return redirect(url_for("writing.templates"))


@bp.route("/admin/memo-templates/<int:template_id>/delete", methods=["POST"])
def template_delete(template_id: int):
    """Delete a memo template (memos written from it keep their text)."""
    admin = _admin()
    form = DeleteForm()
    if not form.validate_on_submit():
        abort(400)
    template = service.get_template(db.session, admin.organization_id, template_id)
    name = template.name
    with attempt() as work:
        service.delete_template(db.session, template, actor=admin)
    if not work.failed:  # a refusal is flashed by attempt()
        flash(f"ลบแม่แบบ “{name}” แล้ว", "success")
    return redirect(url_for("writing.templates"))


@bp.route("/profile/division", methods=["POST"])
def own_division():
    """Set one's own division (ส่วนราชการ), which one's new memos start with."""
    form = DivisionForm()
    if not form.validate_on_submit() or not form.division.raw_data:  # no field: no change, not a blank one
        abort(400)
    with attempt(flash_error=False) as work:
        changed = service.set_division(db.session, _user(), form.division.data)
    if work.failed:
        flash(work.error.fields.get("division", work.error.message), "danger")
    elif changed:
        flash("บันทึกส่วนราชการของท่านแล้ว หนังสือที่เขียนใหม่จะใช้ส่วนราชการนี้", "success")
    else:
        flash("ส่วนราชการไม่เปลี่ยนแปลง", "info")
    return redirect(url_for("auth.profile"))
