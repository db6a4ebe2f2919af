"""The settlement engine on cases worked out by hand (arithmetic in each comment)."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from huimin.insurance import engine
from huimin.insurance.plan import parse_plan

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
D = Decimal


@pytest.fixture(scope="module")
def plan_doc():
    return yaml.safe_load((EXAMPLES / "plan-example.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plan(plan_doc):
    return parse_plan(plan_doc)


def settle(plan, visit_type, level, lines, category="ordinary", ytd=None):
    claim = engine.parse_claim(
        {
            "visit_type": visit_type,
            "institution_level": level,
            "person_category": category,
            "lines": lines,
        },
        plan,
    )
    return engine.adjudicate(plan, claim, engine.parse_ytd(ytd))


def test_the_shared_worked_example_exactly(plan):
    claim = json.loads((EXAMPLES / "claim-example.json").read_text(), parse_float=D)
    ytd = json.loads((EXAMPLES / "ytd-example.json").read_text(), parse_float=D)
    expected = json.loads((EXAMPLES / "settlement-example.json").read_text())
    result = engine.adjudicate(plan, engine.parse_claim(claim, plan), engine.parse_ytd(ytd))
    assert result.as_json() == expected


def test_outpatient_general_stops_at_the_annual_limit(plan):
    # A: 3 × 12.50 = 37.50 eligible. B: 100.00, 乙类 share 10% = 10.00, eligible 90.00.
    # eligible 127.50 × 0.50 = 63.75, but only 300.00 − 280.00 = 20.00 of the limit is left.
    r = settle(
        plan,
        "outpatient_general",
        "1",
        [
            {"code": "a", "class": "A", "quantity": "3", "unit_price": "12.50"},
            {"code": "b", "class": "B", "quantity": "1", "unit_price": "100.00"},
        ],
        ytd={"basic_paid": "280.00", "basic_paid_by_type": {"outpatient_general": "280.00"}},
    )
    assert (r.total, r.b_self_pay, r.eligible) == (D("137.50"), D("10.00"), D("127.50"))
    assert r.basic_fund == D("20.00")
    assert r.patient_pay == D("117.50")
    assert r.ytd_after.basic_paid_by_type["outpatient_general"] == D("300.00")


def test_level_not_in_the_plan_gets_nothing_from_the_basic_fund(plan):
    # outpatient_general lists level 1 only: at a level-2 hospital the patient pays all.
    r = settle(
        plan,
        "outpatient_general",
        "2",
        [{"code": "a", "class": "A", "quantity": "1", "unit_price": "80.00"}],
    )
    assert (r.deductible, r.basic_fund, r.patient_pay) == (D("0.00"), D("0.00"), D("80.00"))


def test_critical_illness_across_two_segments(plan):
    # Level 3 inpatient, ordinary: deductible 800, ratio 0.60.
    # basic = (60000 − 800) × 0.60 = 35520.00; out-of-pocket 60000 − 35520 = 24480.00.
    # ci_base 40000 → 64480: (50000 − 40000) × 0.60 + (64480 − 50000) × 0.65
    #                       = 6000.00 + 9412.00 = 15412.00.
    # patient = 60000 − 35520 − 15412 = 9068.00.
    r = settle(
        plan,
        "inpatient",
        "3",
        [{"code": "op", "class": "A", "quantity": "1", "unit_price": "60000.00"}],
        ytd={"ci_base": "40000.00"},
    )
    assert r.basic_fund == D("35520.00")
    assert r.critical_illness == D("15412.00")
    assert r.assistance == D("0.00")
    assert r.patient_pay == D("9068.00")
    assert r.ytd_after.ci_base == D("64480.00")


def test_tekun_pays_nothing_at_a_township_centre(plan):
    # Tekun: deductible × 0 = 0; ratio 0.90 + 0.05 = 0.95 → basic 950.00 of 1000.00.
    # CI: cumulative 50.00 is below the tekun deductible 7500 → 0.
    # Assistance 100%: (1000 − 950 − 0) × 1.00 = 50.00. Patient pays 0.00.
    r = settle(
        plan,
        "inpatient",
        "1",
        [{"code": "bed", "class": "A", "quantity": "10", "unit_price": "100.00"}],
        category="tekun",
    )
    assert (r.deductible, r.basic_fund, r.critical_illness) == (D("0.00"), D("950.00"), D("0"))
    assert r.assistance == D("50.00")
    assert r.patient_pay == D("0.00")


def test_annual_cap_limits_the_basic_fund(plan):
    # (5000 − 400) × 0.80 = 3680.00, but only 150000 − 149900 = 100.00 is left.
    r = settle(
        plan,
        "inpatient",
        "2",
        [{"code": "x", "class": "A", "quantity": "1", "unit_price": "5000.00"}],
        ytd={"basic_paid": "149900.00"},
    )
    assert r.basic_fund == D("100.00")
    assert r.ytd_after.basic_paid == D("150000.00")


def test_per_year_deductible_is_consumed_across_visits(plan_doc):
    doc = copy.deepcopy(plan_doc)
    doc["basic"]["visit_types"]["outpatient_general"]["deductible"] = {"1": "50.00"}
    plan = parse_plan(doc)
    line = {"code": "a", "class": "A", "quantity": "1"}
    # Visit 1: eligible 30.00, all of it goes to the 50.00 deductible; basic 0.
    first = settle(plan, "outpatient_general", "1", [{**line, "unit_price": "30.00"}])
    assert (first.deductible, first.basic_fund) == (D("30.00"), D("0.00"))
    # Visit 2: 20.00 of the deductible is left; (40.00 − 20.00) × 0.50 = 10.00.
    second = settle(
        plan,
        "outpatient_general",
        "1",
        [{**line, "unit_price": "40.00"}],
        ytd=first.ytd_after.as_json(),
    )
    assert (second.deductible, second.basic_fund) == (D("20.00"), D("10.00"))
    assert second.ytd_after.deductible_paid_by_type == {"outpatient_general": D("50.00")}


def test_line_amounts_round_half_up_to_the_fen(plan):
    # 3 × 0.335 = 1.005 → 1.01 (half up; binary floating point would give 1.00).
    r = settle(
        plan,
        "outpatient_general",
        "1",
        [{"code": "p", "class": "A", "quantity": "3", "unit_price": "0.335"}],
    )
    assert r.lines[0].amount == D("1.01")


def test_item_b_ratio_overrides_the_plan(plan):
    # 2 × 50.00 = 100.00, the item's own 乙类 share 20% = 20.00 (the plan's is 10%).
    r = settle(
        plan,
        "outpatient_general",
        "1",
        [
            {
                "code": "b",
                "class": "B",
                "quantity": "2",
                "unit_price": "50.00",
                "b_self_ratio": "0.2",
            }
        ],
    )
    assert (r.b_self_pay, r.eligible) == (D("20.00"), D("80.00"))
