"""The e-PlanNACC report figures, warnings, texts and the printed attachment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from approval.plan_report import compute as pr
from approval.plan_report.compute import (
    DEFAULT_LEVEL_THRESHOLDS,
    DIMENSIONS,
    STATUS_LABELS,
    STATUSES,
    LevelThresholds,
    Project,
    ThresholdsError,
    compute,
    pct,
    q2,
    round_period,
    summary_lines,
    validate_level_thresholds,
    warnings,
)
from approval.plan_report.io import load_demo_projects

D = Decimal
ROOT = Path(__file__).resolve().parent.parent


def project(no=1, dimension=1, budget="0", ordinance="0", disbursed="0", status="completed", **kw) -> Project:
    return Project(
        no=no,
        dimension=dimension,
        name=kw.pop("name", f"โครงการ {no}"),
        budget=D(budget),
        ordinance_budget=D(ordinance),
        disbursed=D(disbursed),
        status=status,
        in_ordinance=kw.pop("in_ordinance", False),
        **kw,
    )


@pytest.fixture(scope="module")
def seed_projects() -> list[Project]:
    return load_demo_projects()


@pytest.fixture(scope="module")
def seed_summary(seed_projects) -> dict:
    return compute(seed_projects, 15)


# --------------------------------------------------------------------------- the reference

SEED_ROWS = [
    # dimension, planned, done, budget, ordinance, used, % projects, % budget
    (1, 15, 5, "105000.00", "0.00", "0.00", "33.33", "0.00"),
    (2, 20, 20, "0.00", "0.00", "0.00", "100.00", "0.00"),
    (3, 7, 2, "35000.00", "0.00", "0.00", "28.57", "0.00"),
    (4, 7, 4, "230000.00", "0.00", "112652.00", "57.14", "48.98"),
    (None, 49, 31, "370000.00", "0.00", "112652.00", "63.27", "30.45"),
]
ROW_KEYS = (
    "dimension", "projects_planned", "projects_done", "budget_planned", "budget_ordinance",
    "budget_used", "pct_projects", "pct_budget",
)


def _expected_row(values) -> dict:
    row = dict(zip(ROW_KEYS, values, strict=True))
    for key in ROW_KEYS[3:]:
        row[key] = D(row[key])
    return row


def test_demo_csv_is_the_seed_copy():
    text = (ROOT / "approval/plan_report/plan-2567-round6-projects.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "no,dimension,name,budget,ordinance_budget,disbursed,status,in_ordinance,note"
    assert len(text.splitlines()) == 50


def test_reference_rows_match_the_seed_table(seed_summary):
    assert seed_summary["dimensions"] == [_expected_row(r) for r in SEED_ROWS[:4]]
    assert seed_summary["total"] == _expected_row(SEED_ROWS[4])
    # exact Decimal scale too: every amount / percentage prints with 2 decimals
    for row in [*seed_summary["dimensions"], seed_summary["total"]]:
        for key in ROW_KEYS[3:]:
            assert row[key].as_tuple().exponent == -2


def test_reference_status_summary(seed_summary):
    s = seed_summary
    assert s["minimum_projects"] == 15
    assert s["all_projects"] == 49
    assert s["in_ordinance"] == 3
    assert s["status_counts"] == {"waiting": 0, "in_progress": 18, "completed": 31, "cannot": 0}
    assert s["implementation_pct"] == D("100.00") and str(s["implementation_pct"]) == "100.00"
    assert s["implementation_capped"] is True
    assert s["level"] == "มาก"


def test_reference_shape(seed_summary):
    assert set(seed_summary) == {
        "dimensions", "total", "status_counts", "in_ordinance", "minimum_projects", "all_projects",
        "implementation_pct", "implementation_capped", "level", "budget_plan_table",
        "budget_ordinance_table", "disbursement_table",
    }
    for row in [*seed_summary["dimensions"], seed_summary["total"]]:
        assert set(row) == set(ROW_KEYS)


def test_reference_budget_tables(seed_summary):
    plan = seed_summary["budget_plan_table"]
    assert [(c["dimension"], c["projects"], c["budget"]) for c in plan["dimensions"]] == [
        (1, 15, D("105000.00")), (2, 20, D("0.00")), (3, 7, D("35000.00")), (4, 7, D("230000.00")),
    ]
    assert plan["total"] == {"dimension": None, "projects": 49, "budget": D("370000.00")}
    ordinance = seed_summary["budget_ordinance_table"]
    assert [(c["projects"], c["budget"]) for c in ordinance["dimensions"]] == [
        (15, D("0.00")), (20, D("0.00")), (7, D("0.00")), (7, D("0.00")),
    ]
    assert ordinance["total"] == {"dimension": None, "projects": 49, "budget": D("0.00")}
    disb = seed_summary["disbursement_table"]
    assert [(r["budget_planned"], r["budget_ordinance"], r["budget_used"]) for r in disb["dimensions"]] == [
        (D("105000.00"), D("0.00"), D("0.00")),
        (D("0.00"), D("0.00"), D("0.00")),
        (D("35000.00"), D("0.00"), D("0.00")),
        (D("230000.00"), D("0.00"), D("112652.00")),
    ]
    assert disb["total"] == {
        "dimension": None, "budget_planned": D("370000.00"), "budget_ordinance": D("0.00"),
        "budget_used": D("112652.00"),
    }


def test_reference_summary_lines(seed_summary):
    assert summary_lines(seed_summary) == [
        "แผนปฏิบัติการป้องกันทุจริต มีโครงการ/กิจกรรม/มาตรการ จำนวน ๔๙ โครงการ",
        "รอรายงาน ๐ โครงการ",
        "อยู่ระหว่างดำเนินการ ๑๘ โครงการ",
        "ดำเนินการแล้วเสร็จ ๓๑ โครงการ",
        "ไม่สามารถดำเนินการได้ ๐ โครงการ",
        "เบิกจ่ายงบประมาณ ๑๑๒,๖๕๒.๐๐ บาท คิดเป็นร้อยละ ๓๐.๔๕",
        "มีการนำแผนฯ ไปปฏิบัติ ระดับ มาก ร้อยละ ๑๐๐.๐๐",
    ]
    assert summary_lines(seed_summary, digits=False)[5] == "เบิกจ่ายงบประมาณ 112,652.00 บาท คิดเป็นร้อยละ 30.45"


def test_reference_warnings_are_the_three_completed_projects_without_disbursement(seed_projects):
    found = warnings(seed_projects)
    assert [(w["code"], w["no"]) for w in found] == [
        ("completed_without_disbursement", 1),
        ("completed_without_disbursement", 6),
        ("completed_without_disbursement", 7),
    ]
    assert found[0]["message"] == (
        "โครงการลำดับที่ ๑ ดำเนินการแล้วเสร็จ แต่ยังไม่มีการเบิกจ่าย (งบประมาณ ๑๐,๐๐๐.๐๐ บาท)"
    )


def test_constants():
    assert STATUSES == ("waiting", "in_progress", "completed", "cannot")
    assert [STATUS_LABELS[s] for s in STATUSES] == [
        "รอรายงาน", "อยู่ระหว่างดำเนินการ", "ดำเนินการแล้วเสร็จ", "ไม่สามารถดำเนินการได้",
    ]
    assert DIMENSIONS[1] == "การสร้างสังคมที่ไม่ทนต่อการทุจริต"
    assert DIMENSIONS[2] == "การบริหารราชการเพื่อป้องกันการทุจริต"
    assert DIMENSIONS[3] == "การส่งเสริมบทบาทและการมีส่วนร่วมของภาคประชาชน"
    assert DIMENSIONS[4] == "การเสริมสร้างและปรับปรุงกลไกในการตรวจสอบการปฏิบัติราชการขององค์กรปกครองส่วนท้องถิ่น"


# --------------------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("part", "base", "expected"),
    [
        (1, 8, "12.50"),  # exact
        (2, 3, "66.67"),
        (1, 3, "33.33"),
        (5, 15, "33.33"),
        (4, 7, "57.14"),
        (2, 7, "28.57"),
        (31, 49, "63.27"),
        (D("112652"), D("230000"), "48.98"),
        (D("112652"), D("370000"), "30.45"),
        (1, 800, "0.13"),  # 0.125 -> 0.13 (half up; half-even would give 0.12)
        (D("0.00125"), 1, "0.13"),
        (1, 1600, "0.06"),  # 0.0625 -> 0.06
        (3, 1600, "0.19"),  # 0.1875 -> 0.19
        (99999, 100000, "100.00"),  # 99.999 -> 100.00
        (D("0.99995"), 1, "100.00"),
        (0, 5, "0.00"),
        (5, 0, "0.00"),  # zero base
        (0, 0, "0.00"),
        (D("5"), D("0.00"), "0.00"),
        (D("999999999999.99"), D("999999999999.99"), "100.00"),
        (D("0.01"), D("999999999999.99"), "0.00"),
    ],
)
def test_pct_rounds_half_up(part, base, expected):
    value = pct(part, base)
    assert isinstance(value, Decimal)
    assert str(value) == expected


@settings(max_examples=300, deadline=None)
@given(
    part=st.decimals(min_value=0, max_value=D("999999999999.99"), places=2),
    base=st.decimals(min_value=0, max_value=D("999999999999.99"), places=2),
)
def test_pct_equals_exact_fraction_rounded_half_up(part, base):
    value = pct(part, base)
    if base == 0:
        assert value == D("0.00")
        return
    exact = Fraction(part) * 100 / Fraction(base)
    cents = exact * 100
    rounded = int(cents) + (1 if cents - int(cents) >= Fraction(1, 2) else 0)  # half up, non-negative
    assert value == D(rounded) / 100
    assert value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.125", "0.13"), ("0.135", "0.14"), ("2.675", "2.68"), ("1.005", "1.01"), ("0.124", "0.12"), ("12.5", "12.50")],
)
def test_q2_is_half_up_not_float(value, expected):
    # float("2.675") is 2.67499999..., round(0.125, 2) is 0.12: neither is used
    assert str(q2(D(value))) == expected


def test_dimension_rounding_edges_through_compute():
    # 1 of 8 done -> 12.50; budget 3 of 1600 used -> 0.1875 -> 0.19
    projects = [project(no=i, status="completed" if i == 1 else "in_progress") for i in range(1, 9)]
    projects[0] = project(no=1, budget="1600", disbursed="3")
    s = compute(projects, 8)
    assert str(s["dimensions"][0]["pct_projects"]) == "12.50"
    assert str(s["dimensions"][0]["pct_budget"]) == "0.19"
    assert str(s["total"]["pct_projects"]) == "12.50"
    # the other dimensions have no project: zero bases
    assert s["dimensions"][1] == {
        "dimension": 2, "projects_planned": 0, "projects_done": 0, "budget_planned": D("0.00"),
        "budget_ordinance": D("0.00"), "budget_used": D("0.00"), "pct_projects": D("0.00"), "pct_budget": D("0.00"),
    }
    assert str(s["implementation_pct"]) == "12.50"
    assert s["implementation_capped"] is False
    assert s["level"] == "น้อย"


def test_implementation_capping_and_levels():
    def run(done, minimum, thresholds=DEFAULT_LEVEL_THRESHOLDS):
        ps = [project(no=i, status="completed") for i in range(1, done + 1)]
        ps += [project(no=done + 1, status="waiting")]
        return compute(ps, minimum, thresholds)

    s = run(15, 15)
    assert (str(s["implementation_pct"]), s["implementation_capped"], s["level"]) == ("100.00", False, "มาก")
    s = run(16, 15)
    assert (str(s["implementation_pct"]), s["implementation_capped"], s["level"]) == ("100.00", True, "มาก")
    s = run(12, 15)  # 80.00 exactly -> มาก
    assert (str(s["implementation_pct"]), s["level"]) == ("80.00", "มาก")
    s = run(11, 15)  # 73.33
    assert (str(s["implementation_pct"]), s["level"]) == ("73.33", "ปานกลาง")
    s = run(1, 2)  # 50.00 exactly
    assert (str(s["implementation_pct"]), s["level"]) == ("50.00", "ปานกลาง")
    s = run(7, 15)  # 46.67
    assert (str(s["implementation_pct"]), s["level"]) == ("46.67", "น้อย")
    s = run(0, 0)  # zero minimum: 0.00, never capped
    assert (str(s["implementation_pct"]), s["implementation_capped"], s["level"]) == ("0.00", False, "น้อย")
    custom = validate_level_thresholds([{"min_pct": "90", "label": "ดีมาก"}, {"min_pct": "0", "label": "ปรับปรุง"}])
    assert run(12, 15, custom)["level"] == "ปรับปรุง"
    assert run(16, 15, custom)["level"] == "ดีมาก"


def test_compute_rejects_bad_minimum():
    with pytest.raises(ValueError):
        compute([], -1)
    with pytest.raises(TypeError):
        compute([], "15")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        compute([], True)  # type: ignore[arg-type]


def test_compute_empty_plan():
    s = compute([], 15)
    assert s["all_projects"] == 0
    assert s["total"]["pct_projects"] == D("0.00") and s["total"]["pct_budget"] == D("0.00")
    assert s["status_counts"] == dict.fromkeys(STATUSES, 0)
    assert s["level"] == "น้อย"


def test_compute_never_uses_float():
    s = compute([project(budget="0.10", disbursed="0.20", ordinance="0.30")] * 3, 1)
    assert s["total"]["budget_planned"] == D("0.30")
    assert s["total"]["budget_used"] == D("0.60")
    assert s["total"]["budget_ordinance"] == D("0.90")
    assert s["total"]["pct_budget"] == D("200.00")


# --------------------------------------------------------------------------- thresholds


def test_default_thresholds_documented():
    assert DEFAULT_LEVEL_THRESHOLDS.to_json() == [
        {"min_pct": "80.00", "label": "มาก"},
        {"min_pct": "50.00", "label": "ปานกลาง"},
        {"min_pct": "0.00", "label": "น้อย"},
    ]
    assert validate_level_thresholds(DEFAULT_LEVEL_THRESHOLDS.to_json()) == DEFAULT_LEVEL_THRESHOLDS
    assert validate_level_thresholds({"น้อย": 0, "มาก": "80", "ปานกลาง": 50}) == DEFAULT_LEVEL_THRESHOLDS
    assert isinstance(DEFAULT_LEVEL_THRESHOLDS, LevelThresholds)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ("มาก", "ต้องเป็นรายการ"),
        ([], "๑ ถึง ๑๐ ระดับ"),
        ([{"min_pct": str(i), "label": str(i)} for i in range(11)], "๑ ถึง ๑๐ ระดับ"),
        ([{"min_pct": "0", "label": ""}], "ชื่อระดับต้องไม่ว่าง"),
        ([{"min_pct": "0", "label": "ก" * 51}], "ชื่อระดับต้องไม่ว่าง"),
        ([{"min_pct": "abc", "label": "มาก"}], "เกณฑ์ขั้นต่ำต้องเป็นตัวเลข"),
        ([{"min_pct": 0.5, "label": "มาก"}, {"min_pct": 0, "label": "น้อย"}], "เกณฑ์ขั้นต่ำต้องเป็นตัวเลข"),
        ([{"min_pct": True, "label": "มาก"}], "เกณฑ์ขั้นต่ำต้องเป็นตัวเลข"),
        ([{"min_pct": "101", "label": "มาก"}], "เกณฑ์ขั้นต่ำต้องเป็นตัวเลข"),
        ([{"min_pct": "-1", "label": "มาก"}], "เกณฑ์ขั้นต่ำต้องเป็นตัวเลข"),
        ([{"min_pct": "50.001", "label": "มาก"}], "เกณฑ์ขั้นต่ำต้องเป็นตัวเลข"),
        ([{"min_pct": "NaN", "label": "มาก"}], "เกณฑ์ขั้นต่ำต้องเป็นตัวเลข"),
        (["x"], "ต้องมีเกณฑ์"),
        ([{"min_pct": "80", "label": "มาก"}, {"min_pct": "0", "label": "มาก"}], "ชื่อระดับซ้ำ"),
        ([{"min_pct": "0", "label": "มาก"}, {"min_pct": "0", "label": "น้อย"}], "เกณฑ์ขั้นต่ำซ้ำ"),
        ([{"min_pct": "80", "label": "มาก"}], "เริ่มที่ร้อยละ ๐"),
    ],
)
def test_threshold_validation(data, fragment):
    with pytest.raises(ThresholdsError) as info:
        validate_level_thresholds(data)
    assert any(fragment in e for e in info.value.errors)


# --------------------------------------------------------------------------- warnings


def test_warnings_disbursed_over_budget():
    found = warnings([project(no=1, budget="100", disbursed="100.01", status="in_progress")])
    assert [(w["code"], w["no"]) for w in found if w["code"] != "dimension_empty"] == [("disbursed_over_budget", 1)]
    assert found[0]["message"] == "โครงการลำดับที่ ๑ เบิกจ่าย ๑๐๐.๐๑ บาท สูงกว่างบประมาณ ๑๐๐.๐๐ บาท"
    # the ordinance budget may be above the plan's: no warning then
    assert not [w for w in warnings([project(budget="100", ordinance="200", disbursed="150")]) if w["no"]]
    # exactly the budget is fine
    assert not [w for w in warnings([project(budget="100", disbursed="100")]) if w["no"]]


def test_warnings_completed_without_disbursement():
    codes = lambda ps: [(w["code"], w["no"]) for w in warnings(ps) if w["code"] != "dimension_empty"]
    assert codes([project(no=1, budget="10", status="completed")]) == [("completed_without_disbursement", 1)]
    assert codes([project(no=1, ordinance="10", status="completed")]) == [("completed_without_disbursement", 1)]
    assert codes([project(no=1, budget="0", status="completed")]) == []  # no budget: nothing to disburse
    assert codes([project(no=1, budget="10", status="in_progress")]) == []
    assert codes([project(no=1, budget="10", disbursed="1", status="completed")]) == []


def test_warnings_numbering_and_empty_dimensions():
    ps = [project(no=1), project(no=2, dimension=2), project(no=2, dimension=2), project(no=5, dimension=2),
          project(no=7, dimension=2)]
    found = warnings(ps)
    assert [(w["code"], w["no"]) for w in found] == [
        ("numbering_duplicate", 2),
        ("numbering_gap", None),
        ("dimension_empty", None),
        ("dimension_empty", None),
    ]
    assert found[0]["message"] == "ลำดับที่ ๒ ซ้ำกัน ๒ โครงการ"
    assert found[1]["message"] == "ลำดับที่ไม่ต่อเนื่อง ขาดลำดับที่ ๓-๔, ๖"
    assert found[2]["message"] == f"มิติที่ ๓ {DIMENSIONS[3]} ไม่มีโครงการ"
    assert "มิติที่ ๔" in found[3]["message"]
    # every warning has the three keys
    assert all(set(w) == {"code", "message", "no"} for w in found)


def test_warnings_gap_when_numbering_does_not_start_at_one_and_absurd_numbers():
    assert [w["message"] for w in warnings([project(no=3)]) if w["code"] == "numbering_gap"] == [
        "ลำดับที่ไม่ต่อเนื่อง ขาดลำดับที่ ๑-๒"
    ]
    huge = warnings([project(no=1), project(no=10**9)])
    assert [w["code"] for w in huge].count("numbering_gap") == 1


def test_warnings_of_an_empty_plan():
    assert [w["code"] for w in warnings([])] == ["dimension_empty"] * 4


# --------------------------------------------------------------------------- periods


def test_round_period():
    assert round_period(2567, 6) == (dt.date(2023, 10, 1), dt.date(2024, 3, 31))
    assert round_period(2567, 12) == (dt.date(2023, 10, 1), dt.date(2024, 9, 30))
    assert pr.period_text(2567, 6) == "ระหว่างวันที่ ๑ ตุลาคม ๒๕๖๖ - ๓๑ มีนาคม ๒๕๖๗"
    assert pr.period_text(2567, 12, digits=False) == "ระหว่างวันที่ 1 ตุลาคม 2566 - 30 กันยายน 2567"
    with pytest.raises(ValueError):
        round_period(2567, 3)
    with pytest.raises(ValueError):
        round_period(0, 6)


# --------------------------------------------------------------------------- print context


def _reference(digits=True):
    from approval.plan_report.demo import reference_report

    return reference_report(digits)


def test_print_context_strings():
    ctx = _reference()["print"]
    assert ctx["place_line"] == "องค์การบริหารส่วนตำบลขอนหาด อำเภอ ชะอวด จังหวัด นครศรีธรรมราช"
    assert ctx["title"] == "รายงานผลการนำแผนไปปฏิบัติ ประจำปีงบประมาณ พ.ศ. ๒๕๖๗ รอบ ๖ เดือน"
    assert ctx["dimension_rows"][3] == {
        "dimension": "๔", "projects_planned": "๗", "projects_done": "๔", "budget_planned": "๒๓๐,๐๐๐.๐๐",
        "budget_ordinance": "๐.๐๐", "budget_used": "๑๑๒,๖๕๒.๐๐", "pct_projects": "๕๗.๑๔", "pct_budget": "๔๘.๙๘",
    }
    assert ctx["total_row"]["pct_projects"] == "๖๓.๒๗"
    assert ctx["status"] == {
        "minimum_projects": "๑๕", "all_projects": "๔๙", "in_ordinance": "๓", "waiting": "๐",
        "in_progress": "๑๘", "completed": "๓๑", "cannot": "๐", "implementation": "๑๐๐.๐๐*", "level": "มาก",
    }
    rows = ctx["project_rows"]
    assert len(rows) == 49
    assert rows[47]["budget"] == "๒๐๐,๐๐๐.๐๐" and rows[47]["disbursed"] == "๑๑๒,๖๕๒.๐๐"
    assert rows[47]["marks"] == ["", "", pr.STATUS_MARK, ""]
    assert rows[1]["marks"] == ["", pr.STATUS_MARK, "", ""]
    assert ctx["problems"][0].startswith("๑. การจัดกิจกรรม")
    assert ctx["suggestions"][2].startswith("๓. กำหนดมาตรการ")
    assert ctx["summary_lines"][-1] == "มีการนำแผนฯ ไปปฏิบัติ ระดับ มาก ร้อยละ ๑๐๐.๐๐"
    # everything printed is a string (the template needs no filter)
    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        else:
            assert isinstance(value, str), value
    walk(ctx)


def test_print_context_arabic_digits_and_reason():
    report = _reference(digits=False)
    ctx = report["print"]
    assert ctx["status"]["implementation"] == "100.00*"
    assert ctx["total_row"]["budget_used"] == "112,652.00"
    projects = [project(no=1, status="cannot", reason="ไม่มีงบประมาณ", note="เลื่อน")]
    s = compute(projects, 1)
    c2 = pr.plan_report_print_context(
        {"fiscal_year": 2567, "round": 12, "organization_name": "อบต.ทดสอบ", "projects": projects}, s, False
    )
    assert c2["project_rows"][0]["note"] == "ไม่มีงบประมาณ เลื่อน"
    assert c2["project_rows"][0]["marks"] == ["", "", "", pr.STATUS_MARK]
    assert c2["period_text"] == "ระหว่างวันที่ 1 ตุลาคม 2566 - 30 กันยายน 2567"
    assert c2["status"]["implementation"] == "0.00" and c2["capped_note"] == ""


def test_with_print_context_from_plain_dicts():
    base = _reference()
    raw = {k: v for k, v in base.items() if k not in ("summary", "print", "summary_lines")}
    raw["minimum_projects"] = 15
    out = pr.with_print_context(raw, digits=True)
    assert out["summary"]["level"] == "มาก"
    assert out["print"]["status"] == base["print"]["status"]


def test_status_mark_is_in_sarabun():
    import fontpkg_sarabun
    from reportlab.pdfbase.ttfonts import TTFont

    for face in ("Regular", "Bold"):
        font = TTFont(f"check-{face}", str(fontpkg_sarabun.ROOT / "files" / f"Sarabun-{face}.ttf"))
        assert ord(pr.STATUS_MARK) in font.face.charToGlyph


# --------------------------------------------------------------------------- the printed partial


@pytest.fixture(scope="module")
def printed_memo() -> bytes:
    """The reference report printed through the memo PDF pipeline (approval/pdf)."""
    from approval.pdf.render import render_memo_pdf

    memo = {
        "digits": "thai", "title": "รายงานผล", "subject": "รายงานผลการดำเนินการตามแผนปฏิบัติการป้องกันการทุจริต",
        "date": dt.date(2024, 5, 2), "number": "นศ ๗๓๖๐๑/๒๕๖", "is_draft": False,
        "organization": {"name": "องค์การบริหารส่วนตำบลขอนหาด"},
        "author": {"full_name": "นางสาวอนุศาสน์ อภัยรัตน์", "position": "นิติกร"},
        "sections": [], "steps": [], "plan_report": _reference(True),
    }
    return render_memo_pdf(memo)


@pytest.mark.slow
def test_partial_renders_landscape_pages_with_the_figures(printed_memo):
    pdfium = pytest.importorskip("pypdfium2")
    assert printed_memo.startswith(b"%PDF")
    doc = pdfium.PdfDocument(printed_memo)
    try:
        assert len(doc) >= 4
        width, height = doc[0].get_size()
        assert width < height  # the memo itself is portrait
        pages = []
        for i in range(1, len(doc)):
            width, height = doc[i].get_size()
            assert width > height  # the report is on landscape pages
            textpage = doc[i].get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
    finally:
        doc.close()
    text = "".join(pages)
    for fragment in ("๑๑๒,๖๕๒.๐๐", "๓๗๐,๐๐๐.๐๐", "๖๓.๒๗", "๓๐.๔๕", "๔๘.๙๘", "๑๐๐.๐๐*", "มาก", "ข้อเสนอแนะ",
                     "ปัญหา อุปสรรค", "สรุปผลการขับเคลื่อนแผนฯ", "นางสาวอนุศาสน์ อภัยรัตน์"):
        assert fragment in text, fragment
    # the project table's header repeats on every page it spans
    project_pages = [p for p in pages if "ลำดับ" in p and "หมายเหตุ" in p]
    assert len(project_pages) >= 2
    assert all("รายการโครงการ (ตั้งต้น)" in p for p in project_pages)


def test_partial_escapes_user_text():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ROOT / "templates")), autoescape=True)
    report = _reference()
    report["print"]["project_rows"][0]["name"] = "<b>x</b>"
    html = env.get_template("pdf/_plan_report.html").render(memo={"plan_report": report})
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    # the print context may also be given as memo.plan_report itself, or as plan_print
    html2 = env.get_template("pdf/_plan_report.html").render(memo={"plan_report": report["print"]})
    html3 = env.get_template("pdf/_plan_report.html").render(memo={}, plan_print=report["print"])
    assert html == html2 == html3
