"""The plan report's forms (Flask-WTF, CSRF on): the report header and the file import.

As in ``approval.forms``, they only parse and carry CSRF; the rules live in ``service``.
"""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..forms import AppForm


class PlanHeaderForm(AppForm):
    fiscal_year = StringField("ปีงบประมาณ (พ.ศ.)")
    round = RadioField("รอบรายงาน", choices=[SelectChoice("6", "รอบ ๖ เดือน"), SelectChoice("12", "รอบ ๑๒ เดือน")],
                       validate_choice=False)
    minimum_projects = StringField("จำนวนโครงการขั้นต่ำ")
    problems = TextAreaField("ปัญหาและอุปสรรค (บรรทัดละหนึ่งข้อ)")
    suggestions = TextAreaField("ข้อเสนอแนะ (บรรทัดละหนึ่งข้อ)")

    def header_data(self) -> dict:
        def lines(text: str | None) -> list[str]:
            return [line.strip() for line in (text or "").splitlines() if line.strip()]

        return {
            "fiscal_year": (self.fiscal_year.data or "").strip(),
            "round": (self.round.data or "").strip(),
            "minimum_projects": (self.minimum_projects.data or "").strip(),
            "problems": lines(self.problems.data),
            "suggestions": lines(self.suggestions.data),
        }


class PlanImportForm(PlanHeaderForm):
    file = FileField("ไฟล์รายการโครงการ (.csv หรือ .xlsx)")
