"""The reference memo's e-PlanNACC report (fiscal year 2567, round 6): the texts.

The figures come from ``plan-2567-round6-projects.csv`` beside this module; the
problems, suggestions and reporter are the reference report's own (OCR garbling
corrected: ขอนหาด, ทุจริต, นิติกร).
"""

from __future__ import annotations

from typing import Any

FISCAL_YEAR = 2567
ROUND = 6
MINIMUM_PROJECTS = 15
ORGANIZATION_NAME = "องค์การบริหารส่วนตำบลขอนหาด"
DISTRICT = "ชะอวด"
PROVINCE = "นครศรีธรรมราช"
REPORTER_NAME = "นางสาวอนุศาสน์ อภัยรัตน์"
REPORTER_POSITION = "นิติกร"

PROBLEMS: tuple[str, ...] = (
    ("การจัดกิจกรรม/โครงการบางกิจกรรมเป็นการเพิ่มภาระของหน่วยงาน เนื่องจากภารกิจหน้าที่หลัก"
    "ขององค์กรปกครองส่วนท้องถิ่นมีจำนวนมากอยู่แล้ว ทำให้การขับเคลื่อนแผนฯ ไม่มีประสิทธิภาพเท่าที่ควร"),
    "ภาคประชาชนยังขาดความรู้ความเข้าใจในการเข้ามามีส่วนร่วมในการตรวจสอบ โดยเห็นว่าเป็นหน้าที่ของหน่วยงานของรัฐ",
    "บุคลากรในหน่วยงานไม่ให้ความสนใจ ไม่เล็งเห็นความสำคัญในการจัดทำตัวชี้วัด",
    "ขาดงบประมาณในการสนับสนุนในการดำเนินการ",
)

SUGGESTIONS: tuple[str, ...] = (
    ("ปลูกจิตสำนึกปลูกฝังค่านิยมด้านคุณธรรมจริยธรรมแก่ผู้บริหาร บุคลากรในหน่วยงาน"
    " ไม่ให้กระทำการทุจริตและประพฤติมิชอบในทุกกรณี"),
    "หน่วยงานหลักควรสนับสนุนงบประมาณเพื่อให้การขับเคลื่อนโครงการไปอย่างมีประสิทธิภาพ",
    "กำหนดมาตรการให้ประชาชนเข้ามามีส่วนร่วมในกระบวนการตรวจสอบ กระบวนการทำงานภาครัฐเพื่อให้เกิดความโปร่งใส",
)


def reference_report(digits: bool = True) -> dict[str, Any]:
    """The ``memo.plan_report`` dict of the reference memo (see ``templates/pdf/_plan_report.html``)."""
    from approval.plan_report import compute as pr
    from approval.plan_report.io import load_demo_projects

    projects = load_demo_projects()
    summary = pr.compute(projects, MINIMUM_PROJECTS)
    report: dict[str, Any] = {
        "fiscal_year": FISCAL_YEAR,
        "round": ROUND,
        "organization_name": ORGANIZATION_NAME,
        "district": DISTRICT,
        "province": PROVINCE,
        "period_text": pr.period_text(FISCAL_YEAR, ROUND, digits),
        "projects": [p.as_dict() for p in projects],
        "summary": summary,
        "summary_lines": pr.summary_lines(summary, digits),
        "problems": list(PROBLEMS),
        "suggestions": list(SUGGESTIONS),
        "reporter_name": REPORTER_NAME,
        "reporter_position": REPORTER_POSITION,
    }
    report["print"] = pr.plan_report_print_context(report, summary, digits)
    return report
