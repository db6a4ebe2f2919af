"""The item rules that read the catalog's review facts, in SQL: medically unlikely
units, bundles and exclusive items (unbundling), qualifications; and the fee category
and day-based flag the admission and stay rules read from the catalog, not names."""

from decimal import Decimal

from huimin.registry.models import Institution
from tests.review.batch.support import D, found, run


def test_mue_exceeded_adds_the_lines_of_one_day(claims):
    claims.item("CT1", "service", "胸部CT平扫", mue=Decimal("2"))
    hit = claims.settle(lines=[("CT1", "胸部CT平扫", 2, "180"), ("CT1", "胸部CT平扫", 1, "180")])
    claims.settle(lines=[("CT1", "胸部CT平扫", 2, "180")])  # at the maximum
    claims.settle(  # two a day on two days
        lines=[
            ("CT1", "胸部CT平扫", 2, "180", D(2026, 3, 1)),
            ("CT1", "胸部CT平扫", 2, "180", D(2026, 3, 2)),
        ]
    )
    run(["mue_exceeded"])
    [f] = found("mue_exceeded")
    assert f.settlement_id == hit.pk and f.lines == [1, 2]
    assert f.explanation == (
        "疑似虚记数量：2026-03-01第1行（胸部CT平扫）、第2行（胸部CT平扫）合计3，"
        "超过单日医学合理上限2，请核实。"
    )


def test_unbundling_a_bundle_with_its_component_and_exclusive_items(claims):
    claims.item("ALT", "service", "丙氨酸氨基转移酶")
    claims.item("LIVER", "service", "肝功能组合", component_codes="ALT,AST")
    claims.item("N1", "service", "一级护理", exclusive_codes="N2")
    claims.item("N2", "service", "二级护理")
    bundle = claims.settle(
        lines=[("LIVER", "肝功能组合", 1, "60"), ("ALT", "丙氨酸氨基转移酶", 1, "8")]
    )
    nursing = claims.settle(lines=[("N2", "二级护理", 1, "18"), ("N1", "一级护理", 1, "30")])
    # near misses: the component on another day, the two nursing levels on two days
    claims.settle(
        lines=[
            ("LIVER", "肝功能组合", 1, "60", D(2026, 3, 1)),
            ("ALT", "丙氨酸氨基转移酶", 1, "8", D(2026, 3, 2)),
        ]
    )
    claims.settle(
        lines=[
            ("N1", "一级护理", 1, "30", D(2026, 3, 1)),
            ("N2", "二级护理", 1, "18", D(2026, 3, 2)),
        ]
    )
    run(["unbundling"])
    by = {f.settlement_id: f for f in found("unbundling")}
    assert set(by) == {bundle.pk, nursing.pk}
    assert by[bundle.pk].lines == [1, 2]
    assert by[bundle.pk].facts["reason"] == "组套项目肝功能组合与其组成项目同日收费"
    assert by[nursing.pk].lines == [1, 2]
    assert by[nursing.pk].explanation == (
        "疑似分解项目收费：2026-03-01一级护理与二级护理为互斥项目，同日收费"
        "（第1行（二级护理）、第2行（一级护理）），请核实。"
    )


def test_beyond_qualification_only_where_qualifications_are_recorded(claims):
    claims.item("HD", "service", "血液透析", qualification="dialysis")
    Institution.objects.filter(pk=claims.centre.pk).update(qualifications="tcm")
    Institution.objects.filter(pk=claims.hospital.pk).update(qualifications="dialysis,icu")
    unknown = claims.centre.__class__.objects.get(pk=claims.centre.pk)
    hit = claims.settle(institution=claims.centre, lines=[("HD", "血液透析", 1, "400")])
    claims.settle(institution=claims.hospital, lines=[("HD", "血液透析", 1, "400")])
    Institution.objects.filter(pk=unknown.pk).update(qualifications="tcm")
    run(["beyond_qualification"])
    [f] = found("beyond_qualification")
    assert f.settlement_id == hit.pk and f.lines == [1]
    assert f.explanation == (
        "疑似超资质诊疗：第1行（血液透析）需“血液透析”资质，酿溪镇卫生院未登记该资质，请核实。"
    )
    # an institution whose qualifications nobody recorded is not judged
    Institution.objects.filter(pk=claims.centre.pk).update(qualifications=None)
    claims.settle(
        institution=claims.centre, visit_date=D(2026, 4, 1), lines=[("HD", "血液透析", 1, "400")]
    )
    run(["beyond_qualification"])
    assert len(found("beyond_qualification")) == 1


def test_day_items_and_treatment_come_from_the_catalog_not_the_name(claims):
    # named like a bed but not day-based in the catalog; a ward round that is
    claims.item("BEDLIKE", "service", "床位费（陪护）")
    claims.item("ROUND", "service", "住院诊查费", fee_category="consultation", day_based=True)
    claims.item("BED", "service", "床位费", fee_category="bed", day_based=True)
    stay = dict(visit_type="inpatient", visit_date=D(2026, 4, 1), discharge=D(2026, 4, 5))
    hit = claims.settle(
        **stay, lines=[("ROUND", "住院诊查费", 5, "10"), ("BEDLIKE", "床位费（陪护）", 9, "10")]
    )
    run(["day_items_beyond_stay"])
    [f] = found("day_items_beyond_stay")
    assert f.settlement_id == hit.pk and f.lines == [1]
    assert (f.facts["item"], f.facts["quantity"], f.facts["days"]) == ("住院诊查费", "5", "4")
    # bed only: no treatment; a line the catalog files under treatment is one
    claims.item("RX", "service", "自定义护理操作", fee_category="treatment")
    idle = claims.settle(**stay, lines=[("BED", "床位费", 4, "30")])
    claims.settle(**stay, lines=[("BED", "床位费", 4, "30"), ("RX", "自定义护理操作", 1, "20")])
    run(["bed_without_treatment"])
    by = {f.settlement_id: f for f in found("bed_without_treatment")}
    assert set(by) == {idle.pk, hit.pk}  # a ward round and an escort's bed treat no one
    assert by[idle.pk].facts["charged"] == "床位费"
    assert by[hit.pk].facts["charged"] == "诊查费、其他费"


def test_days_supply_is_quantity_times_days_per_unit_in_whole_days(claims):
    # 0.5 day a tablet (twice a day): 83 tablets last 41.5 days, counted 41 (> 40)
    claims.item("D2", "drug", "硝苯地平缓释片", days_supply_per_unit=Decimal("0.5"))
    claims.item("D3", "drug", "未定日剂量的药")
    hit = claims.settle(lines=[("D2", "硝苯地平缓释片", 83, "0.3")])
    claims.settle(visit_date=D(2026, 6, 1), lines=[("D2", "硝苯地平缓释片", 81, "0.3")])  # 40
    claims.settle(visit_date=D(2026, 8, 1), lines=[("D3", "未定日剂量的药", 500, "0.1")])
    run(["over_dispensing"])
    [f] = found("over_dispensing")
    assert f.settlement_id == hit.pk and f.facts["supply_days"] == "41"
