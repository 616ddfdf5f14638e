"""Typesetting figures of the printed memo, on the reference memo and hard ones.

    .venv/bin/python bench/typeset.py [--save DIR] [--only NAME]

For each document: the widest gap between neighbouring glyphs inside a line
outside a real space (target <= 3 mm) and at one (<= 4 mm), the lines with a
gap over target, glyphs past the margin (0), glyphs over a table cell's
border (0), paragraphs whose last line is a single word (0), and the render
time.  The figures are read from the PDF's glyph boxes (tests/pdf/measure.py).
``--save DIR`` writes each document's PDF there.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from approval.pdf import configure_process, render_memo_pdf
from tests.pdf.measure import MAX_GAP, MAX_SPACE_GAP, MM, measure, without_actual_text
from tests.pdf.reference_memo import reference_memo

URL = "https://www.nacc.go.th/categorydetail/20190129121541361/20230302103508?page=2&view=full_report"
EMAIL = "saraban.khonhad.nakhonsithammarat@dla.go.th"
LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"  # 36 characters, no natural break
DIGITS = "๑๒๓๔๕๖๗๘๙๐๑๒๓๔๕๖๗๘๙๐๑๒๓๔๕๖๗๘๙๐๑๒๓๔"


def _memo(**changes) -> dict:
    memo = reference_memo(signed=True)
    memo.update(changes)
    return memo


def urls() -> dict:
    body = (
        f"ตามที่ สำนักงาน ป.ป.ช. ได้เผยแพร่แนวทางการประเมินคุณธรรมและความโปร่งใสทางเว็บไซต์ {URL} "
        f"และขอให้หน่วยงานส่งเอกสารหลักฐานทางไปรษณีย์อิเล็กทรอนิกส์ {EMAIL} ภายในวันที่ ๓๑ มีนาคม ๒๕๖๘ นั้น"
        "\nกองช่างได้ออกสำรวจพื้นที่ตามหนังสือกระทรวงมหาดไทย ที่ มท ๐๘๑๐.๓/ว ๑๒๓๔ ลงวันที่ ๑๕ มกราคม ๒๕๖๘ "
        f"โดยมีรหัสอ้างอิงโครงการ {LATIN} และเลขที่สัญญา {DIGITS} ตามรายละเอียดที่ {URL}"
    )
    return _memo(
        subject=f"ขอเผยแพร่ข้อมูลทางเว็บไซต์ {URL}",
        title="ขอเผยแพร่ข้อมูลทางเว็บไซต์",
        department=f"กองช่าง องค์การบริหารส่วนตำบลขอนหาด โทร. ๐ ๗๕๓๘ ๐๐๐๐ {EMAIL}",
        sections=[{"title": "เรื่องเดิม", "body": body}],
    )


def compounds() -> dict:
    body = (
        "ข้อบัญญัติงบประมาณรายจ่ายประจำปีงบประมาณพ.ศ.๒๕๖๘ขององค์การบริหารส่วนตำบลขอนหาดได้กำหนดโครงการ"
        "ส่งเสริมสนับสนุนการจัดกิจกรรมเฉลิมพระเกียรติพระบาทสมเด็จพระเจ้าอยู่หัวเนื่องในโอกาสมหามงคล"
        "เฉลิมพระชนมพรรษาและโครงการพัฒนาศักยภาพบุคลากรด้านเทคโนโลยีสารสนเทศและการสื่อสารเพื่อการบริหาร"
        "จัดการองค์กรปกครองส่วนท้องถิ่นอย่างมีประสิทธิภาพ"
        "\nคณะกรรมการพิจารณาผลการประกวดราคาอิเล็กทรอนิกส์ได้พิจารณาแล้วเห็นควรให้ความเห็นชอบ"
        "ตามที่เสนอ เพื่อประโยชน์ของทางราชการ"
    )
    return _memo(sections=[{"title": "ข้อเท็จจริง", "body": body}])


def stacked() -> dict:
    body = (
        "ที่นี่มีน้ำท่วมขังถี่ ๆ ปู่ย่าตายายที่อยู่ริมน้ำก็ได้รับผลกระทบ ผู้ใหญ่บ้านจึงแจ้งว่าพี่น้องที่ป่วยไข้"
        "ต้องได้รับการช่วยเหลืออย่างเร่งด่วน ปี่พาทย์ที่จ้างไว้สำหรับงานบุญก็ต้องยกเลิก ชื่อผู้ที่ได้รับความเดือดร้อน"
        "มีทั้งสิ้นสี่สิบเก้าครัวเรือน ซึ่งกำนันได้รวบรวมรายชื่อส่งให้ที่ว่าการอำเภอแล้วตั้งแต่วันพุธที่ ๒ ธันวาคม ๒๕๖๘"
    )
    return _memo(sections=[{"title": "ข้อเท็จจริง", "body": body}])


def tables() -> dict:
    table = {
        "header": [[{"text": "ลำดับ", "width": "8%"}, {"text": "รายการ", "width": "30%"},
                    {"text": "แหล่งข้อมูล", "width": "32%"}, {"text": "รหัส", "width": "30%"}]],
        "rows": [
            [{"text": "๑", "align": "c"}, {"text": "โครงการส่งเสริมสนับสนุนการจัดกิจกรรมเฉลิมพระเกียรติ"},
             {"text": URL}, {"text": LATIN}],
            [{"text": "๒", "align": "c"}, {"text": "ติดต่อประสานงาน"}, {"text": EMAIL}, {"text": DIGITS}],
            [{"text": "๓", "align": "c"}, {"text": "ค่าใช้จ่ายในการเดินทางไปราชการ ตามข้อบัญญัติงบประมาณรายจ่าย"},
             {"text": "หนังสือ ที่ มท ๐๘๑๐.๓/ว ๑๒๓๔ ลงวันที่ ๑๕ มกราคม ๒๕๖๘"}, {"text": "ก.ค. ๒๕๖๘"}],
        ],
    }
    memo = _memo()
    memo["sections"] = [{"title": "ข้อเท็จจริง", "body": "รายละเอียดตามตารางดังต่อไปนี้", "table": table}]
    return memo


def opinions() -> dict:
    memo = _memo()
    long = (
        "ได้ตรวจสอบแล้ว เห็นควรอนุมัติให้ดำเนินการตามที่เสนอ ทั้งนี้ ให้กองคลังตรวจสอบความถูกต้องของเอกสารประกอบการเบิกจ่าย"
        "ให้เป็นไปตามระเบียบกระทรวงมหาดไทยว่าด้วยการรับเงิน การเบิกจ่ายเงิน การฝากเงิน การเก็บรักษาเงิน"
        "และการตรวจเงินขององค์กรปกครองส่วนท้องถิ่น พ.ศ. ๒๕๖๖ และรายงานผลให้ทราบภายในวันที่ ๓๐ กันยายน ๒๕๖๘"
    )
    memo["steps"][0]["comment"] = long
    memo["steps"][1]["comment"] = "ทราบ"
    memo["steps"][2]["comment"] = long + "\nอนุมัติ"
    memo["steps"][0]["signer"]["position"] = "ผู้อำนวยการกองสาธารณสุขและสิ่งแวดล้อมองค์การบริหารส่วนตำบลขอนหาด"
    return memo


def reference_report() -> dict:
    from approval.plan_report.demo import reference_report as report

    memo = reference_memo(signed=True)
    memo["plan_report"] = report(digits=True)
    return memo


DOCUMENTS = {
    "reference memo": lambda: reference_memo(signed=True),
    "reference memo, blank": lambda: reference_memo(signed=False),
    "reference memo + report": reference_report,
    "URLs, e-mail, codes": urls,
    "long compounds": compounds,
    "stacked marks": stacked,
    "tables, long cells": tables,
    "long opinions": opinions,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--save", type=Path)
    parser.add_argument("--only")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--detail", action="store_true", help="print the worst lines and every overflow")
    args = parser.parse_args()
    configure_process(preload=True)
    print(f"targets: gap <= {MAX_GAP / MM:.0f} mm (at a space <= {MAX_SPACE_GAP / MM:.0f} mm), "
          "past margin 0, over cells 0, single-word last lines 0")
    print(f"{'document':<26}{'gap mm':>8}{'space mm':>9}{'lines>':>7}{'margin':>7}{'cells':>6}{'widows':>7}{'ms':>8}")
    ok = True
    for name, build in DOCUMENTS.items():
        if args.only and args.only not in name:
            continue
        memo = build()
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            pdf = render_memo_pdf(copy.deepcopy(memo))
            times.append((time.perf_counter() - t) * 1000)
        with without_actual_text():
            fig = measure(render_memo_pdf(copy.deepcopy(memo)))
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / (name.replace(" ", "_").replace(",", "").replace("+", "and") + ".pdf")).write_bytes(pdf)
        met = (fig.widest_gap_mm <= MAX_GAP / MM and fig.widest_space_gap_mm <= MAX_SPACE_GAP / MM
               and not fig.past_margin and not fig.over_cells and not fig.single_word_last_lines)
        ok = ok and met
        print(f"{name:<26}{fig.widest_gap_mm:8.1f}{fig.widest_space_gap_mm:9.1f}{fig.lines_with_gaps:7d}"
              f"{fig.past_margin:7d}{fig.over_cells:6d}{fig.single_word_last_lines:7d}"
              f"{statistics.median(times):8.0f}{'' if met else '   NOT met'}")
        if args.detail:
            for page, text, gap in fig.worst[:5]:
                print(f"    p{page} {gap:4.1f} mm  {text[:70]}")
            for line in fig.widows + fig.overflow[:5]:
                print(f"    {line}")
    print("all targets met" if ok else "targets NOT met")


if __name__ == "__main__":
    main()
