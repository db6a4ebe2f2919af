"""The item rules in SQL: duplicates, ceilings, daily maxima, day items, dispensing,
catalog restrictions."""

from decimal import Decimal

from tests import factories
from tests.review.batch.support import D, found, run


def test_duplicate_charge_same_service_same_day(claims):
    claims.item("S1", "service", "血常规")
    claims.item("M1", "drug", "阿莫西林胶囊")
    dup = claims.settle(lines=[("S1", "血常规", 1, "20"), ("S1", "血常规", 1, "20")])
    # a drug on two lines is two orders; the service on two days is two services
    claims.settle(lines=[("M1", "阿莫西林胶囊", 12, "0.32"), ("M1", "阿莫西林胶囊", 12, "0.32")])
    claims.settle(
        lines=[("S1", "血常规", 1, "20", D(2026, 3, 1)), ("S1", "血常规", 1, "20", D(2026, 3, 2))]
    )
    run(["duplicate_charge"])
    [f] = found("duplicate_charge")
    assert f.settlement_id == dup.pk
    assert f.lines == [1, 2]
    assert f.explanation == (
        "疑似重复收费：2026-03-01血常规在同一结算中多次收取（第1行（血常规）、第2行（血常规）），请核实。"
    )


def test_over_ceiling_names_the_excess(claims):
    over = claims.settle(lines=[("S2", "CT平扫", 2, "110.00", D(2026, 3, 1), "100.00")])
    claims.settle(lines=[("S2", "CT平扫", 2, "100.00", D(2026, 3, 1), "100.00")])  # at ceiling
    run(["over_ceiling"])
    [f] = found("over_ceiling")
    assert f.settlement_id == over.pk
    assert f.facts == {
        "lines": "第1行（CT平扫）",
        "institution": "新邵县人民医院",
        "visit_date": "2026-03-01",
        "diagnosis": "J06.900",
        "price": "110.00",
        "ceiling": "100.00",
        "over": "20.00",  # 2 × (110 − 100)
    }


def test_daily_max_exceeded_adds_lines_of_one_day(claims):
    claims.item("O2", "service", "吸氧", max_quantity_per_day=Decimal("24"))
    hit = claims.settle(lines=[("O2", "吸氧", 20, "3"), ("O2", "吸氧", 5, "3")])
    claims.settle(lines=[("O2", "吸氧", 20, "3"), ("O2", "吸氧", 4, "3")])  # exactly 24
    run(["daily_max_exceeded"])
    [f] = found("daily_max_exceeded")
    assert f.settlement_id == hit.pk
    assert (f.facts["quantity"], f.facts["limit"]) == ("25", "24")


def test_day_items_beyond_stay(claims):
    claims.item("B1", "service", "床位费（二级）", fee_category="bed", day_based=True)
    hit = claims.settle(
        visit_type="inpatient", visit_date=D(2026, 4, 1), discharge=D(2026, 4, 6),
        lines=[("B1", "床位费（二级）", 6, "30")],
    )  # fmt: skip
    claims.settle(
        visit_type="inpatient", visit_date=D(2026, 5, 1), discharge=D(2026, 5, 6),
        lines=[("B1", "床位费（二级）", 5, "30")],
    )  # fmt: skip
    run(["day_items_beyond_stay"])
    [f] = found("day_items_beyond_stay")
    assert f.settlement_id == hit.pk
    assert f.explanation == (
        "疑似多记住院天数：床位费（二级）计6天，住院仅5天（第1行（床位费（二级））），请核实。"
    )


def test_over_dispensing_across_institutions_in_thirty_days(claims):
    # one tablet a day: 28 tablets last 28 days (the catalog's days per unit)
    claims.item("D1", "drug", "苯磺酸氨氯地平片", days_supply_per_unit=Decimal("1"))
    first = dict(visit_type="outpatient_chronic", lines=[("D1", "苯磺酸氨氯地平片", 28, "0.5")])
    claims.settle(visit_date=D(2026, 3, 1), **first)
    hit = claims.settle(visit_date=D(2026, 3, 20), institution=claims.centre, **first)
    # a month later again: 30 days apart is a new window
    claims.settle(visit_date=D(2026, 4, 19), **first)
    run(["over_dispensing"])
    [f] = found("over_dispensing")
    assert f.settlement_id == hit.pk
    assert f.facts["supply_days"] == "56"  # 28 + 28
    assert f.facts["institutions"] == "酿溪镇卫生院、新邵县人民医院"


def test_item_restriction_sex_and_level(claims):
    claims.item("R1", "service", "前列腺特异抗原", sex="1")
    claims.item("R2", "drug", "注射用哌拉西林", institution_levels="2,3")
    woman = factories.make_person("王五", sex="2", birth=D(1990, 1, 1))
    hit = claims.settle(person=woman, lines=[("R1", "前列腺特异抗原", 1, "50")])
    low = claims.settle(institution=claims.centre, lines=[("R2", "注射用哌拉西林", 1, "6")])
    claims.settle(lines=[("R1", "前列腺特异抗原", 1, "50"), ("R2", "注射用哌拉西林", 1, "6")])
    run(["item_restriction"])
    by = {f.settlement_id: f for f in found("item_restriction")}
    assert set(by) == {hit.pk, low.pk}
    assert by[hit.pk].facts["reason"] == "限男性使用"
    assert by[low.pk].facts["reason"] == "限二级、三级医疗机构使用"
