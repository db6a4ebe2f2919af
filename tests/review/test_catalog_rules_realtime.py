# ruff: noqa: F811  (the insurance fixtures, imported, are parameters here)
"""The catalog-driven item rules at the counter: a settlement made through the
institution API, reviewed with the seeded catalog's medically unlikely maxima, exclusive
items and qualifications (huimin/insurance/catalog/seed.py)."""

from huimin.registry.models import Institution
from huimin.review import realtime
from huimin.review.facts import claim_in_hand_for
from tests.insurance.conftest import his, insured  # noqa: F401  (fixtures)
from tests.review.realtime_support import NURSING_2, settle_visit, settlement_of

CHEST_CT = "002102000020000"  # 胸部CT平扫: at most 2 a day (mue), needs "ct"
NURSING_1 = "001103000020000"  # 一级护理: exclusive with the other nursing levels
DIALYSIS = "003111000010000"  # 血液透析: needs "dialysis"


def fee(code, name, quantity="1", price="10.00", day="2026-03-03"):
    return {"code": code, "name": name, "quantity": quantity, "unit_price": price, "fee_date": day}


def findings(his, insured, lines, rule):
    settlement = settlement_of(settle_visit(his, insured, lines=lines))
    return [r for r in realtime.CHECKER.check(claim_in_hand_for(settlement)) if r.rule == rule]


def test_three_chest_cts_on_one_day_exceed_the_medically_unlikely_maximum(insured, his):
    [found] = findings(his, insured, [fee(CHEST_CT, "胸部CT平扫", "3", "180.00")], "mue_exceeded")
    assert found.severity == "warning" and found.lines == (1,)
    assert found.message == (
        "疑似虚记数量：2026-03-03第1行（胸部CT平扫）合计3，超过单日医学合理上限2，请核实。"
    )


def test_two_chest_cts_on_one_day_do_not(insured, his):
    assert (
        findings(his, insured, [fee(CHEST_CT, "胸部CT平扫", "2", "180.00")], "mue_exceeded") == []
    )


def test_two_nursing_levels_on_one_day_are_exclusive(insured, his):
    lines = [fee(NURSING_1, "一级护理", price="30.00"), fee(NURSING_2, "二级护理", price="18.00")]
    [found] = findings(his, insured, lines, "unbundling")
    assert found.lines == (1, 2)
    assert "一级护理与二级护理为互斥项目，同日收费" in found.message


def test_two_nursing_levels_on_two_days_are_not(insured, his):
    lines = [
        fee(NURSING_1, "一级护理", price="30.00", day="2026-03-03"),
        fee(NURSING_2, "二级护理", price="18.00", day="2026-03-04"),
    ]
    assert findings(his, insured, lines, "unbundling") == []


def test_dialysis_at_an_institution_without_the_qualification(insured, his):
    hospital = his.onboarded.institution
    Institution.objects.filter(pk=hospital.pk).update(qualifications="icu,ct")
    [found] = findings(
        his, insured, [fee(DIALYSIS, "血液透析", price="400.00")], "beyond_qualification"
    )
    assert found.lines == (1,)
    assert found.message == (
        f"疑似超资质诊疗：第1行（血液透析）需“血液透析”资质，{hospital.name}未登记该资质，请核实。"
    )


def test_dialysis_where_it_is_held_or_qualifications_are_not_recorded(insured, his):
    hospital = his.onboarded.institution
    Institution.objects.filter(pk=hospital.pk).update(qualifications="dialysis")
    lines = [fee(DIALYSIS, "血液透析", price="400.00")]
    assert findings(his, insured, lines, "beyond_qualification") == []
    Institution.objects.filter(pk=hospital.pk).update(qualifications=None)
    settlement = settlement_of(settle_visit(his, insured, "ZY-2", lines=lines))
    results = realtime.CHECKER.check(claim_in_hand_for(settlement))
    assert [r for r in results if r.rule == "beyond_qualification"] == []
