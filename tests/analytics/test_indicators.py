"""The same indicator SQL on the database and over the export in DuckDB: equal figures,
worked out by hand for a small county."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import F

from huimin.analytics import duck, export, indicators
from huimin.insurance.enrollment.models import Enrollment, EnrollmentPeriod
from huimin.insurance.models import Settlement
from tests import factories
from tests.review.batch.support import Claims, D

YEAR = (D(2026, 1, 1), D(2026, 12, 31))
PAID_AT = datetime.datetime(2025, 10, 1, 9, tzinfo=datetime.UTC)


@pytest.fixture
def claims(county):
    return Claims()


def test_actual_reimbursement_by_hand_in_both_engines(claims, tmp_path):
    # Support.settle pays 50.00 from the fund on any total; a reversed claim counts not.
    claims.settle(total="200.00")
    claims.settle(total="300.00", visit_date=D(2026, 7, 1))
    claims.settle(total="1000.00", reversed_=True)
    claims.settle(total="400.00", visit_date=D(2025, 12, 31))  # before the period
    Settlement.objects.filter(total=Decimal("300.00")).update(assistance=F("assistance") + 10)
    [db] = indicators.in_database(indicators.ACTUAL_REIMBURSEMENT, factories.COUNTY, *YEAR)
    assert (db.numerator, db.denominator) == (Decimal("110.00"), Decimal("500.00"))
    assert db.rate == Decimal("0.2200")  # (50 + 50 + 10) / (200 + 300)
    export.export(tmp_path, export.Scope(region=factories.COUNTY))
    con = duck.connect(tmp_path, factories.COUNTY)
    assert indicators.in_duckdb(con, indicators.ACTUAL_REIMBURSEMENT, factories.COUNTY, *YEAR) == [
        db
    ]


def test_hospitalisation_rate_by_hand_in_both_engines(claims, tmp_path):
    household_head = claims.person
    others = [factories.make_person(n, birth=datetime.date(1970, 1, i + 1)) for i, n in
              enumerate(["李一", "李二", "李三"])]  # fmt: skip
    people = [household_head, *others]
    household = factories.make_household(household_head)
    period = EnrollmentPeriod.objects.create(
        region_code=factories.COUNTY, year=2026, opens_on=D(2025, 9, 1), closes_on=D(2025, 12, 31),
        individual=Decimal("380.00"), subsidy=Decimal("670.00"), created_by=claims.user,
    )  # fmt: skip
    for p, status in zip(people, ["paid", "paid", "paid", "owed"], strict=True):
        Enrollment.objects.create(
            period=period, person=p, household=household, year=2026, region_code=p.village_id,
            status=status, enrolled_on=D(2025, 10, 1), benefits_from=D(2026, 1, 1),
            individual_due=Decimal("380.00"), assistance_share=Decimal("0.00"),
            personal_due=Decimal("380.00"), subsidy=Decimal("670.00"),
            paid_at=PAID_AT if status == "paid" else None,
        )  # fmt: skip
    claims.settle(person=people[0], visit_type="inpatient", discharge=D(2026, 3, 5))
    claims.settle(person=people[0], visit_type="inpatient", visit_date=D(2026, 5, 1),
                  discharge=D(2026, 5, 3))  # fmt: skip  # admissions, not people: two
    claims.settle(person=people[1])  # outpatient: not an admission
    claims.settle(person=people[2], visit_type="inpatient", discharge=D(2026, 3, 5),
                  reversed_=True)  # fmt: skip  # reversed: not an admission
    claims.settle(person=people[3], visit_type="inpatient", discharge=D(2026, 3, 5))  # unpaid
    [db] = indicators.in_database(indicators.HOSPITALISATION, factories.COUNTY, *YEAR)
    # 3 admissions (twice the first person, once the unpaid one) over 3 paid enrollees
    assert (db.numerator, db.denominator, db.rate) == (3, 3, Decimal("1.0000"))
    export.export(tmp_path, export.Scope(region=factories.COUNTY))
    con = duck.connect(tmp_path, factories.COUNTY)
    assert indicators.in_duckdb(con, indicators.HOSPITALISATION, factories.COUNTY, *YEAR) == [db]
