"""Every insurance indicator on the fixed county of dataset.py, worked out by hand.

Settlements in 2026 (net of the reversal of B's 3-20 outpatient visit):
  A inpatient, county hospital (level 2), 03-15: total 10000, eligible 8000, basic 5000, CI 500
  B outpatient, township centre (1), 03-20: 200 / 180 / 90 — reversed on 03-21
  B inpatient, out of area, 05-10: 20000 / 15000 / 6000, CI 2000, assistance 1000
  E outpatient, township centre (1), 06-01: 100 / 100 / 50
"""

from decimal import Decimal

import pytest

from huimin.reports import aggregates, indicators
from huimin.reports.figures import Period, breakdown, figure
from huimin.reports.models import IndicatorFigure
from tests import factories
from tests.reports import dataset

YEAR = Period.year(2026)
COUNTY = factories.COUNTY


@pytest.fixture
def insured_county(county):
    people = dataset.build()
    return dataset.build_insurance(people)


def nd(code, region=COUNTY, period=YEAR):
    f = figure(code, region, period)
    return f.numerator, f.denominator


def test_enrollment_and_admissions(insured_county):
    assert nd("ins.enrollment") == (4, 8)  # A B D E paid; I owes; C G H not enrolled
    assert [(f.numerator, f.denominator) for f in breakdown("ins.enrollment", COUNTY, YEAR)] == [
        (4, 7),  # 酿溪镇: A B D E of A B C D E G I
        (0, 1),  # 严塘镇: H
    ]
    # Two admissions (A, B) over four insured: 50%.
    assert nd("ins.admission_rate") == (2, 4)
    assert nd("ins.admission_rate", dataset.V1) == (2, 3)


def test_fund_spending_by_tier_level_type_and_month(insured_county):
    one = Decimal(1)
    assert nd("ins.spend.total") == (Decimal("14550.00"), one)  # 5500 + 9000 + 50
    assert nd("ins.spend.basic") == (Decimal("11050.00"), one)  # 5000 + 6000 + 50
    assert nd("ins.spend.critical") == (Decimal("2500.00"), one)
    assert nd("ins.spend.assistance") == (Decimal("1000.00"), one)
    assert nd("ins.spend.level.1")[0] == Decimal("50.00")  # 90 − 90 + 50
    assert nd("ins.spend.level.2")[0] == Decimal("5500.00")
    assert nd("ins.spend.level.out_of_area")[0] == Decimal("9000.00")
    assert nd("ins.spend.type.inpatient")[0] == Decimal("14500.00")
    assert nd("ins.spend.type.outpatient_general")[0] == Decimal("50.00")
    # March: A's 5500; B's 90 and its reversal cancel out.
    assert nd("ins.spend.total", period=Period.month(2026, 3))[0] == Decimal("5500.00")
    assert nd("ins.spend.total", dataset.V2)[0] == Decimal("50.00")


def test_ratios_and_averages(insured_county):
    # 政策范围内: basic 11050 / eligible 23100.
    f = figure("ins.policy_ratio", COUNTY, YEAR)
    assert (f.numerator, f.denominator, f.rate) == (
        Decimal("11050.00"),
        Decimal("23100.00"),
        Decimal("0.4784"),
    )
    # 实际: all three tiers 14550 / total 30100.
    assert figure("ins.actual_ratio", COUNTY, YEAR).rate == Decimal("0.4834")
    # Out of area: 20000 of 30100.
    assert figure("ins.out_of_area", COUNTY, YEAR).rate == Decimal("0.6645")
    assert nd("ins.avg_admission.2") == (Decimal("10000.00"), Decimal(1))
    assert nd("ins.avg_admission.out_of_area") == (Decimal("20000.00"), Decimal(1))
    # Outpatient at level 1: 200 − 200 + 100 over 1 − 1 + 1 visits.
    assert nd("ins.avg_outpatient.1") == (Decimal("100.00"), Decimal(1))


def test_ledger_and_review(insured_county):
    one = Decimal(1)
    assert nd("ins.income") == (Decimal("80000.00"), one)
    assert nd("ins.income.individual") == (Decimal("20000.00"), one)
    assert nd("ins.income.subsidy") == (Decimal("60000.00"), one)
    assert nd("ins.income", period=Period.month(2026, 2)) == (Decimal("60000.00"), one)
    assert nd("ins.balance") == (Decimal("73400.00"), one)  # 80000 − 6000 − 600
    # 73400 over 6600 / 12 = 550.00 a month.
    f = figure("ins.balance_months", COUNTY, YEAR)
    assert (f.numerator, f.denominator, f.rate) == (
        Decimal("73400.00"),
        Decimal("550.00"),
        Decimal("133.4545"),
    )
    assert figure("ins.balance_months", COUNTY, Period.month(2026, 2)).rate is None
    assert nd("review.findings") == (2, one)
    assert nd("review.findings", dataset.V1) == (2, one)
    assert nd("review.recovered") == (Decimal("300.00"), one)  # the cancelled 100 is not


def test_institution_rows_of_a_rebuild(insured_county):
    aggregates.rebuild(COUNTY, [YEAR], only=["ins.spend.total"])
    aggregates.rebuild(COUNTY, [YEAR], only=["ins.spend.total"])  # again: replaced, not added
    rows = dict(
        IndicatorFigure.objects.filter(indicator="ins.spend.total")
        .exclude(institution_id=0)
        .values_list("institution_id", "numerator")
    )
    assert rows == {
        insured_county["hospital"].pk: Decimal("5500.00"),
        insured_county["centre"].pk: Decimal("50.00"),
        insured_county["outside"].pk: Decimal("9000.00"),
    }
    # Ledger figures exist at county level only.
    aggregates.rebuild(COUNTY, [YEAR], only=["ins.balance"])
    assert set(
        IndicatorFigure.objects.filter(indicator="ins.balance").values_list(
            "region_code", flat=True
        )
    ) == {COUNTY}
    assert indicators.get("ins.balance").levels == ("county",)
