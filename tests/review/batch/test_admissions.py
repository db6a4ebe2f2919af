"""split_admission, bed_without_treatment, low_standard_admission in SQL."""

from tests.review.batch.support import D, found, run

BED = ("B001", "床位费（二级）")
NURSE = ("N001", "二级护理")
DRUG = ("X001", "注射用头孢曲松钠")


def stay(claims, admitted, discharged, dx="I21.000", **kw):
    lines = kw.pop("lines", [(*BED, 5, "30.00"), (*DRUG, 5, "6.80")])
    return claims.settle(
        visit_type="inpatient", visit_date=admitted, discharge=discharged, dx=dx, lines=lines, **kw
    )


def test_split_admission_within_fifteen_days_fires(claims):
    claims.item("X001", "drug", "注射用头孢曲松钠")
    stay(claims, D(2026, 2, 18), D(2026, 2, 23), "I21.000")
    again = stay(claims, D(2026, 3, 10), D(2026, 3, 15), "I25.100")  # 15 days, related group
    result = run(["split_admission"])
    [f] = found("split_admission")
    assert f.settlement_id == again.pk
    assert f.facts["gap_days"] == "15"
    assert "距上次在新邵县人民医院出院（2026-02-23，I21.000）仅15天" in f.explanation
    assert result.counts["split_admission"] == {"found": 1, "new": 1}


def test_split_admission_sixteen_days_or_other_illness_does_not_fire(claims):
    claims.item("X001", "drug", "注射用头孢曲松钠")
    stay(claims, D(2026, 2, 18), D(2026, 2, 23), "I21.000")
    stay(claims, D(2026, 3, 11), D(2026, 3, 15), "I21.000")  # 16 days
    stay(claims, D(2026, 3, 20), D(2026, 3, 25), "K35.900")  # 5 days, unrelated
    run(["split_admission"])
    assert found("split_admission") == []


def test_reversed_settlement_is_not_reviewed(claims):
    claims.item("X001", "drug", "注射用头孢曲松钠")
    stay(claims, D(2026, 2, 18), D(2026, 2, 23), "I21.000", reversed_=True)
    stay(claims, D(2026, 3, 1), D(2026, 3, 5), "I21.000")
    run(["split_admission"])
    assert found("split_admission") == []


def test_bed_without_treatment_fires_on_bed_and_nursing_only(claims):
    claims.item("X001", "drug", "注射用头孢曲松钠")
    claims.item(BED[0], "service", BED[1], fee_category="bed", day_based=True)
    claims.item(NURSE[0], "service", NURSE[1], fee_category="nursing", day_based=True)
    idle = stay(claims, D(2026, 4, 1), D(2026, 4, 4), lines=[(*BED, 3, "30"), (*NURSE, 3, "20")])
    stay(claims, D(2026, 5, 1), D(2026, 5, 4))  # billed a drug: treated
    stay(claims, D(2026, 6, 1), D(2026, 6, 3), lines=[(*BED, 2, "30")])  # two days only
    run(["bed_without_treatment"])
    [f] = found("bed_without_treatment")
    assert f.settlement_id == idle.pk
    assert f.explanation == (
        "疑似挂床住院：住院3天，仅收取床位费、护理费，无检查、化验、药品或治疗项目，"
        "请核实患者是否在院接受治疗。"
    )
    assert f.lines == [1, 2]


def test_low_standard_admission(claims):
    claims.item("X001", "drug", "注射用头孢曲松钠")
    cold = stay(claims, D(2026, 4, 1), D(2026, 4, 4), dx="J06.900")
    stay(claims, D(2026, 5, 1), D(2026, 5, 4), dx="J18.900")
    claims.settle(dx="J06.900")  # outpatient: the right place
    run(["low_standard_admission"])
    [f] = found("low_standard_admission")
    assert f.settlement_id == cold.pk
    assert f.explanation == "疑似低标准入院：入院诊断J06.900属门诊可治疗病种，请核实住院指征。"
