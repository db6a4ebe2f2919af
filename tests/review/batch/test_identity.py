"""deceased, overlapping_stays, outpatient_during_stay in SQL."""

from tests import factories
from tests.review.batch.support import D, found, run


def test_deceased_fires_after_death_not_on_the_day(claims):
    dead = factories.make_person("李四", death_date=D(2026, 3, 1))
    late = claims.settle(person=dead, visit_date=D(2026, 3, 2), lines=[("A1", "诊查费", 1, "10")])
    claims.settle(person=dead, visit_date=D(2026, 3, 1), lines=[("A1", "诊查费", 1, "10")])
    run(["deceased"])
    [f] = found("deceased")
    assert f.settlement_id == late.pk
    assert f.facts["death_date"] == "2026-03-01"
    assert "第1行（诊查费）" in f.explanation


def test_overlapping_stays_at_two_institutions(claims):
    a = claims.settle(visit_type="inpatient", visit_date=D(2026, 4, 1), discharge=D(2026, 4, 10))
    b = claims.settle(
        visit_type="inpatient", visit_date=D(2026, 4, 5), discharge=D(2026, 4, 12),
        institution=claims.centre,
    )  # fmt: skip
    # a transfer: sharing only the day of discharge and admission is no overlap
    claims.settle(visit_type="inpatient", visit_date=D(2026, 4, 12), discharge=D(2026, 4, 15))
    run(["overlapping_stays"])
    assert sorted(f.settlement_id for f in found("overlapping_stays")) == sorted([a.pk, b.pk])
    fa = next(f for f in found("overlapping_stays") if f.settlement_id == a.pk)
    assert fa.facts["other_institution"] == "酿溪镇卫生院"
    assert fa.facts["other_admission"] == "2026-04-05"


def test_outpatient_during_stay_both_claims_flagged_not_on_admission_day(claims):
    st = claims.settle(visit_type="inpatient", visit_date=D(2026, 4, 1), discharge=D(2026, 4, 10))
    op = claims.settle(visit_date=D(2026, 4, 5), institution=claims.centre)
    claims.settle(visit_date=D(2026, 4, 1), institution=claims.centre)  # admission day
    claims.settle(visit_date=D(2026, 4, 10), institution=claims.centre)  # discharge day
    run(["outpatient_during_stay"])
    assert sorted(f.settlement_id for f in found("outpatient_during_stay")) == sorted(
        [st.pk, op.pk]
    )
    f = found("outpatient_during_stay")[0]
    assert "2026-04-05于酿溪镇卫生院有门诊结算" in f.explanation
