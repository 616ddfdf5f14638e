"""WTForms forms for the pages (Flask-WTF, CSRF on).

The forms only parse and carry CSRF; the rules (required fields, lengths, dates, the
chain) live in the services, whose ValidationFailed.fields the pages show beside each
field. The few validators here are about the form itself (two passwords that match).
"""

from __future__ import annotations

import wtforms
from flask_wtf import FlaskForm
from wtforms import (
    Form,
    FormField,
    HiddenField,
    PasswordField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired

from . import limits
from .labels import DECISION_LABELS
from .numbers import ID_MAX, INDEX_MAX, parse_index, to_int

REQUIRED = "กรุณากรอกข้อมูล"


class AppForm(FlaskForm):
    """Every page form: Flask-WTF's, with the CSRF field rendered without an id.

    A page often holds several forms; each ``{{ form.csrf_token }}`` rendering
    ``id="csrf_token"`` repeats an id, which HTML forbids (and label lookups trip on).
    """

    class Meta:
        def render_field(self, field, render_kw):
            if field.type == "CSRFTokenField":
                render_kw = {**render_kw, "id": False}  # html_params leaves out a False attribute
            return super().render_field(field, render_kw)


class FieldList(wtforms.FieldList):
    """WTForms' FieldList, reading only row indices of the digits 0-9 (``sections-²-title`` is no row).

    WTForms checks ``str.isdigit()`` and then calls ``int()``, so a posted ``sections-²-title``
    was a 500.
    """

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                raw = key[offset:].split("-", 1)[0]
                if raw.isascii() and raw.isdigit():
                    index = to_int(raw, 0, INDEX_MAX)
                    if index is not None:
                        yield index


class LoginForm(AppForm):
    username = StringField("ชื่อผู้ใช้", validators=[InputRequired(REQUIRED)])
    password = PasswordField("รหัสผ่าน", validators=[InputRequired(REQUIRED)])
    next = HiddenField()


class PasswordChangeForm(AppForm):
    current_password = PasswordField("รหัสผ่านปัจจุบัน", validators=[InputRequired(REQUIRED)])
    new_password = PasswordField("รหัสผ่านใหม่", validators=[InputRequired(REQUIRED)])
    confirm_password = PasswordField(
        "ยืนยันรหัสผ่านใหม่",
        validators=[InputRequired(REQUIRED), EqualTo("new_password", "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน")],
    )


class SectionForm(Form):
    """One numbered section of the memo (no CSRF of its own: it lives inside MemoForm)."""

    title = StringField("หัวข้อ")
    body = TextAreaField("เนื้อความ")


def apply_section_command(form) -> bool:
    """Add, remove or move a section of a form with ``sections`` and ``section_cmd`` (the memo's
    and the memo template's editor, without JavaScript). True when the form changed."""
    command = form.section_cmd.data or ""
    if not command:
        return False
    sections = [{"title": s.form.title.data or "", "body": s.form.body.data or ""} for s in form.sections]
    verb, _, arg = command.partition(":")
    index = parse_index(arg)
    if verb == "add" and len(sections) < min(form.sections.max_entries, limits.SECTIONS_MAX):
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


class MemoForm(AppForm):
    department = StringField("ส่วนราชการ")
    date = StringField("วันที่")  # <input type=date>: the service parses and checks it
    subject = StringField("เรื่อง")
    addressee = StringField("เรียน")
    sections = FieldList(FormField(SectionForm), min_entries=1, max_entries=30)
    closing = StringField("ข้อความลงท้าย", default="จึงเรียนมาเพื่อโปรดทราบ")
    category = StringField("ประเภทหนังสือ")
    amount = StringField("จำนวนเงิน (บาท)")
    #: Without JavaScript the section buttons submit the form with a command such as
    #: "add", "remove:2", "up:1"; the page is shown again with the sections changed.
    section_cmd = HiddenField()
    #: The memo's version when the form was opened: a stale edit is refused (412), not lost.
    version = HiddenField()
    save = SubmitField("บันทึก")

    def seen_version(self) -> int | None:
        value = (self.version.data or "").strip()
        if not value:
            return None
        return to_int(value, 0, ID_MAX, default=-1)  # garbage never matches: 412, not a 500

    def memo_data(self) -> dict:
        """The plain dict the memo services take."""
        return {
            "department": self.department.data or "",
            "date": self.date.data or "",
            "subject": self.subject.data or "",
            "addressee": self.addressee.data or "",
            "sections": [{"title": s.form.title.data or "", "body": s.form.body.data or ""}
                         for s in self.sections],
            "closing": self.closing.data or "",
            "category": self.category.data or "",
            "amount": self.amount.data or None,
        }


DECISION_CHOICES = [SelectChoice(d.value, label) for d, label in DECISION_LABELS.items()]


class ActionForm(AppForm):
    """Every chain action posts this form; memos.act decides what is allowed."""

    action = HiddenField()
    comment = TextAreaField("ข้อความ")
    decision = RadioField("คำสั่ง", choices=DECISION_CHOICES, validate_choice=False)
    password = PasswordField("ยืนยันรหัสผ่านเพื่อลงนาม")
    chain_id = HiddenField()  #: submit: the chain chosen among those that apply
