"""not_insured and identity_mismatch in SQL: enrollment coverage on the visit date, and
the registry's sex and birth date against the diagnosis."""

import datetime
from decimal import Decimal

from django.utils import timezone

from huimin.insurance.enrollment.models import Enrollment, EnrollmentPeriod
from tests import factories
from tests.review.batch.support import D, found, run


def enrol(person, *, status="paid", benefits_from=None, year=2026):
    benefits_from = benefits_from or D(year, 1, 1)
    period, _ = EnrollmentPeriod.objects.get_or_create(
        region_code=factories.COUNTY, year=year,
        defaults={"opens_on": D(year - 1, 9, 1), "closes_on": D(year - 1, 12, 31),
                  "individual": Decimal("380.00"), "subsidy": Decimal("670.00")},
    )  # fmt: skip
    household = factories.make_household(person)
    paid_at = timezone.make_aware(datetime.datetime(year - 1, 10, 1, 10))
    return Enrollment.objects.create(
        period=period, person=person, household=household, year=year,
        region_code=person.village_id, status=status, individual_due=Decimal("380.00"),
        assistance_share=Decimal("0.00"), personal_due=Decimal("380.00"),
        subsidy=Decimal("670.00"), enrolled_on=D(year - 1, 10, 1), benefits_from=benefits_from,
        paid_at=paid_at if status in ("paid", "refunded") else None,
    )  # fmt: skip


def test_not_insured_before_benefits_begin_and_without_a_paid_enrollment(claims):
    enrol(claims.person)  # insured the whole year: no finding
    claims.settle(visit_date=D(2026, 3, 1))
    late = factories.make_person("李四")
    enrol(late, benefits_from=D(2026, 4, 1))  # joined late: a waiting period
    waiting = claims.settle(person=late, visit_date=D(2026, 3, 31))
    claims.settle(person=late, visit_date=D(2026, 4, 1))  # the first day is covered
    refunded = factories.make_person("王五")
    enrol(refunded, status="refunded")
    gone = claims.settle(person=refunded, visit_date=D(2026, 5, 1))
    owing = factories.make_person("赵六")
    enrol(owing, status="owed")
    unpaid = claims.settle(person=owing, visit_date=D(2026, 5, 2))
    lastyear = factories.make_person("钱七")
    enrol(lastyear, year=2025, benefits_from=D(2025, 1, 1))
    lapsed = claims.settle(person=lastyear, visit_date=D(2026, 1, 5))

    run(["not_insured"])

    stored = found("not_insured")
    assert sorted(f.settlement_id for f in stored) == sorted(
        [waiting.pk, gone.pk, unpaid.pk, lapsed.pk]
    )
    f = next(f for f in stored if f.settlement_id == waiting.pk)
    assert f.severity == "blocking"
    assert f.lines == []
    assert f.explanation == (
        "疑似非参保期间就医：2026-03-31在新邵县人民医院就诊时未查到有效参保记录，请核实参保状态。"
    )


def test_identity_mismatch_other_sex_diagnosis_and_pregnancy_age(claims):
    # 张三 is a man born 1980-05-17
    man = claims.settle(visit_date=D(2026, 3, 1), dx="N80.1")
    man_pregnant = claims.settle(visit_date=D(2026, 3, 2), dx="O80.000")
    claims.settle(visit_date=D(2026, 3, 3), dx="N40.x00")  # a man's own diagnosis
    woman = factories.make_person("李梅", sex="2", birth=D(1985, 1, 1))
    claims.settle(person=woman, visit_date=D(2026, 3, 1), dx="N80.1")
    old = factories.make_person("王婆", sex="2", birth=D(1965, 6, 30))
    too_old = claims.settle(person=old, visit_date=D(2026, 6, 30), dx="O80.000")  # 61 today
    # the day before, still 60: the range's last year is in it
    claims.settle(person=old, visit_date=D(2026, 6, 29), dx="O80.000")

    run(["identity_mismatch"])

    stored = {f.settlement_id: f for f in found("identity_mismatch")}
    assert sorted(stored) == sorted([man.pk, man_pregnant.pk, too_old.pk])
    assert stored[man.pk].explanation == (
        "疑似冒名就医：患者男、45岁，诊断N80.1仅见于异性（全部费用明细），请核实就诊人身份。"
    )
    # a man's pregnancy is the sex mismatch, not also an age question
    assert stored[man_pregnant.pk].facts["reason"] == "诊断O80.000仅见于异性"
    assert stored[too_old.pk].facts["age"] == "61"
    assert stored[too_old.pk].facts["sex"] == "女"
    assert stored[too_old.pk].facts["reason"] == "妊娠相关诊断O80.000与年龄不符"
