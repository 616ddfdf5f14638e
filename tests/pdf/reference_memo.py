"""The reference memo (seed memo-2567-round6, OCR corrected) as a render_memo_pdf dict.

The texts are copied here from the seed so that tests never read /work/shared.
"""

from __future__ import annotations

import datetime as dt

ORG = "องค์การบริหารส่วนตำบลขอนหาด"

SUBJECT = "รายงานผลการดำเนินการตามแผนปฏิบัติการป้องกันการทุจริต ประจำปีงบประมาณ พ.ศ. ๒๕๖๗ รอบ ๖ เดือน"

ORIGINAL = (
    "ตามที่ องค์การบริหารส่วนตำบลขอนหาด ได้จัดทำแผนปฏิบัติการป้องกันการทุจริตเพื่อยกระดับคุณธรรมและ"
    "ความโปร่งใสขององค์การบริหารส่วนตำบลขอนหาด (พ.ศ.๒๕๖๖-๒๕๗๐) เพื่อเพิ่มประสิทธิภาพในการป้องกันการทุจริต "
    "ยกระดับมาตรฐานในการป้องกันการทุจริตของหน่วยงานให้มีความโปร่งใส ความสุจริต บังเกิดประโยชน์สุขแก่ประชาชน"
    "ตลอดจนแสดงให้เห็นถึงเจตจำนงสุจริตของผู้บริหารองค์กรปกครองส่วนท้องถิ่น ในการต่อต้านการทุจริตอย่างเป็นรูปธรรม "
    "อันจะส่งผลต่อการยกระดับผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานขององค์กรปกครองส่วนท้องถิ่น "
    "ซึ่งจะส่งผลให้ประชาชนเกิดความเชื่อมั่นและศรัทธาในการทำงานของหน่วยงานมากยิ่งขึ้น "
    "พร้อมกันนี้ได้กำหนดแนวทางในการติดตามและประเมินผลการนำแผนสู่การปฏิบัติไว้ "
    "โดยให้รายงานผลการดำเนินงานตามแผนปฏิบัติการป้องกันการทุจริต รอบ ๖ เดือนและรอบ ๑๒ เดือน ของแต่ละปีงบประมาณ "
    "พร้อมทั้งให้รายงานผลผ่านระบบรายงานและติดตามผลการดำเนินงานตามแผนปฏิบัติการป้องกันการทุจริต"
    "ขององค์กรปกครองส่วนท้องถิ่น e-PlanNACC ทางเว็บไซต์สำนักงาน ป.ป.ช. นั้น"
)

FACTS = (
    "องค์การบริหารส่วนตำบลขอนหาด ได้กำกับติดตามและจัดทำรายงานผลการดำเนินงานตามแผนปฏิบัติการป้องกันการทุจริต "
    "รอบ ๖ เดือน ประจำปีงบประมาณ พ.ศ.๒๕๖๗ (ระหว่างวันที่ ๑ ตุลาคม ๒๕๖๖-๓๑ มีนาคม ๒๕๖๗) "
    "โดยอาศัยข้อมูลจากระบบสารสนเทศเพื่อการวางแผนและประเมินผลขององค์กรปกครองส่วนท้องถิ่น (e-Plan) "
    "มาเป็นฐานในการติดตามผลการดำเนินงานตามแผนปฏิบัติการป้องกันการทุจริต ตามแนวทางที่ผู้บริหารได้มอบหมาย "
    "พร้อมทั้งได้รายงานผลผ่านระบบ e-Plan NACC เรียบร้อยแล้ว สรุปข้อมูลได้ดังนี้"
)

PROPOSAL = (
    "องค์การบริหารส่วนตำบลขอนหาด จึงขอรายงานผลการดำเนินงานตามแผนปฏิบัติการป้องกันการทุจริต รอบ ๖ เดือน "
    "ประจำปีงบประมาณ พ.ศ.๒๕๖๗ ต่อนายกองค์การบริหารส่วนตำบลขอนหาด รายละเอียดตามเอกสารแนบท้าย"
)

SUMMARY_TABLE = {
    "header": [
        [
            {"text": "ชื่อ อปท.", "rowspan": 2, "width": "12%"},
            {"text": "มิติ", "rowspan": 2, "width": "5%"},
            {"text": "โครงการ", "colspan": 2},
            {"text": "งบประมาณ", "colspan": 3},
            {"text": "ร้อยละดำเนินการ", "colspan": 2},
        ],
        [
            {"text": "ตามแผน", "width": "7%"},
            {"text": "ดำเนินการแล้ว", "width": "9%"},
            {"text": "ตามแผน", "width": "13%"},
            {"text": "ตามข้อบัญญัติ", "width": "13%"},
            {"text": "ใช้จริง", "width": "14%"},
            {"text": "โครงการ", "width": "13%"},
            {"text": "งบประมาณ", "width": "14%"},
        ],
    ],
    "rows": [
        [{"text": "อบต.ขอนหาด", "rowspan": 4}, {"text": "๑", "align": "c"}, {"text": "๑๕", "align": "r"}, {"text": "๕", "align": "r"},
         {"text": "๑๐๕,๐๐๐", "align": "r"}, {"text": "๐.๐๐", "align": "r"}, {"text": "๐.๐๐", "align": "r"},
         {"text": "๓๓.๓๓", "align": "r"}, {"text": "๐.๐๐", "align": "r"}],
        [{"text": "๒", "align": "c"}, {"text": "๒๐", "align": "r"}, {"text": "๒๐", "align": "r"},
         {"text": "๐.๐๐", "align": "r"}, {"text": "๐.๐๐", "align": "r"}, {"text": "๐.๐๐", "align": "r"},
         {"text": "๑๐๐.๐๐", "align": "r"}, {"text": "๐.๐๐", "align": "r"}],
        [{"text": "๓", "align": "c"}, {"text": "๗", "align": "r"}, {"text": "๒", "align": "r"},
         {"text": "๓๕,๐๐๐", "align": "r"}, {"text": "๐.๐๐", "align": "r"}, {"text": "๐.๐๐", "align": "r"},
         {"text": "๒๘.๕๗", "align": "r"}, {"text": "๐.๐๐", "align": "r"}],
        [{"text": "๔", "align": "c"}, {"text": "๗", "align": "r"}, {"text": "๔", "align": "r"},
         {"text": "๒๓๐,๐๐๐", "align": "r"}, {"text": "๐.๐๐", "align": "r"}, {"text": "๑๑๒,๖๕๒", "align": "r"},
         {"text": "๕๗.๑๔", "align": "r"}, {"text": "๔๘.๙๘", "align": "r"}],
        [{"text": "รวม", "colspan": 2, "align": "c"}, {"text": "๔๙", "align": "r"}, {"text": "๓๑", "align": "r"},
         {"text": "๓๗๐,๐๐๐", "align": "r"}, {"text": "๐.๐๐", "align": "r"}, {"text": "๑๑๒,๖๕๒", "align": "r"},
         {"text": "๖๓.๒๗", "align": "r"}, {"text": "๓๐.๔๕", "align": "r"}],
    ],
}


def _person(full_name, position, signature_path=None):
    return {"full_name": full_name, "position": position, "signature_path": signature_path}


def reference_memo(*, signed: bool = False, digits: str = "thai", is_draft: bool = False, table: bool = True) -> dict:
    """The reference memo; ``signed`` fills in the three opinions/order as decided."""
    created = dt.datetime(2024, 5, 2, 2, 30, tzinfo=dt.UTC)
    steps = [
        {"seq": 1, "title": "ความเห็นหัวหน้าส่วนราชการ", "kind": "opinion",
         "signer": _person("นางสาวเย็นตา อภัยรัตน์", "หัวหน้าสำนักปลัดองค์การบริหารส่วนตำบลขอนหาด")},
        {"seq": 2, "title": "ความเห็นปลัดองค์การบริหารส่วนตำบลขอนหาด", "kind": "opinion",
         "signer": _person("นางสุภาพร จุลเรือง", "ปลัดองค์การบริหารส่วนตำบลขอนหาด")},
        {"seq": 3, "title": "คำสั่งนายกองค์การบริหารส่วนตำบลขอนหาด", "kind": "order",
         "signer": _person("นายประยงค์ หนูบุญคง", "นายกองค์การบริหารส่วนตำบลขอนหาด")},
    ]
    comments = [
        "เห็นควรนำเรียนนายกองค์การบริหารส่วนตำบลขอนหาดเพื่อโปรดทราบ และเห็นควรประชาสัมพันธ์ผลการดำเนินงานให้ประชาชนทราบ",
        "เรียน นายกองค์การบริหารส่วนตำบลขอนหาด เพื่อโปรดทราบ และพิจารณาสั่งการให้ทุกส่วนราชการเร่งรัดโครงการที่อยู่ระหว่างดำเนินการ",
        "ให้ทุกส่วนราชการถือปฏิบัติ",
    ]
    for i, step in enumerate(steps):
        if signed:
            step.update(
                status="done",
                decision="acknowledge" if step["kind"] == "order" else "forward",
                decision_label="ทราบ" if step["kind"] == "order" else None,
                comment=comments[i],
                acting="รักษาราชการแทนปลัดองค์การบริหารส่วนตำบลขอนหาด" if i == 1 else None,
                signed_at=dt.datetime(2024, 5, 2 + i, 3, 0, tzinfo=dt.UTC),
            )
        else:
            step.update(status="waiting" if i else "pending", decision=None, decision_label=None,
                        comment="", acting=None, signed_at=None)
    return {
        "title": SUBJECT,
        "author_name": "นางสาวอนุศาสน์ อภัยรัตน์",
        "created_at": created,
        "is_draft": is_draft,
        "digits": digits,
        "organization": {"name": ORG, "district": "ชะอวด", "province": "นครศรีธรรมราช", "emblem_path": None},
        "department": "สำนักปลัด องค์การบริหารส่วนตำบลขอนหาด",
        "number": "นศ ๗๓๖๐๑/๒๕๖",
        "date": dt.date(2024, 5, 2),
        "subject": SUBJECT,
        "addressee": "นายกองค์การบริหารส่วนตำบลขอนหาด",
        "sections": [
            {"title": "เรื่องเดิม", "body": ORIGINAL},
            {"title": "ข้อเท็จจริง", "body": FACTS, **({"table": SUMMARY_TABLE} if table else {})},
            {"title": "ข้อเสนอแนะ/พิจารณา", "body": PROPOSAL},
        ],
        "closing": "จึงเรียนมาเพื่อโปรดทราบ",
        "author": _person("นางสาวอนุศาสน์ อภัยรัตน์", "นิติกร"),
        "steps": steps,
        "plan_report": None,
    }
