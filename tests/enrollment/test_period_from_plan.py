"""A period left without amounts copies the region's active plan's contribution section."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from huimin.core.errors import Conflict, PermissionDenied
from huimin.insurance.enrollment import services
from huimin.insurance.enrollment.models import EnrollmentPeriod
from huimin.insurance.models import BenefitPlan
from tests import factories

D = datetime.date
# The contribution section of ../shared/examples/plan-example.yaml, in a plan that parses.
PLAN = Path(__file__).with_name("plan_contribution.yaml")


def example_plan(region="430522", year=2026) -> str:
    text = PLAN.read_text(encoding="utf-8")
    return text.replace('region: "430999"', f'region: "{region}"').replace(
        "year: 2026", f"year: {year}"
    )


def data(**over):
    base = {
        "region_code": factories.COUNTY,
        "year": 2026,
        "opens_on": D(2025, 9, 1),
        "closes_on": D(2025, 12, 31),
        "waiting_days": 90,
    }
    return services.PeriodData(**{**base, **over})


def test_amounts_and_shares_come_from_the_active_plan(officer):
    other = factories.make_staff("officer2", "insurance_officer", factories.COUNTY)
    BenefitPlan.objects.create(
        region_code="430522",
        year=2026,
        name="新邵县2026",
        document=example_plan(),
        status="active",
        uploaded_by=other,
        activated_by=officer,
    )
    period = services.do_create_period(officer, data())
    assert (period.individual, period.subsidy) == (Decimal("400.00"), Decimal("670.00"))
    assert period.assistance_shares == {"tekun": "1.00", "dibao": "0.50"}
    assert "新邵县2026" in period.source


def test_a_second_period_for_the_same_year_is_a_conflict(officer):
    services.do_create_period(officer, data(individual="400", subsidy="670"))
    with pytest.raises(Conflict) as exc:
        services.do_create_period(officer, data(individual="380", subsidy="670"))
    assert exc.value.code == "period_exists"
    assert EnrollmentPeriod.objects.get().individual == Decimal("400.00")


def test_only_an_officer_of_that_county_manages_periods(officer, township_clerk):
    outsider = factories.make_staff("officer3", "insurance_officer", "430523")
    for user in (township_clerk, outsider):
        with pytest.raises(PermissionDenied):
            services.do_create_period(user, data(individual="400", subsidy="670"))
    assert not EnrollmentPeriod.objects.exists()
