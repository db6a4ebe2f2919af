"""A year that no longer admits enrollment or payment: the household page offers no form
that would always be refused, and says why instead."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from huimin.insurance.enrollment import services
from huimin.insurance.enrollment.models import Enrollment
from tests import factories

D = datetime.date


@pytest.fixture
def last_year(officer):
    """Last year's period, long closed: every payment now would start benefits after it."""
    year = timezone.localdate().year - 1
    return services.do_create_period(
        officer,
        services.PeriodData(
            region_code=factories.COUNTY,
            year=year,
            opens_on=D(year - 1, 9, 1),
            closes_on=D(year - 1, 12, 31),
            waiting_days=90,
            individual="400.00",
            subsidy="670.00",
            shares={"tekun": "1.00", "dibao": "0.50"},
        ),
    )


def test_a_closed_year_shows_the_reason_not_the_forms(client, officer, last_year, family):
    year = last_year.year
    # The father was enrolled in time but never paid; the mother never enrolled.
    services.do_enroll_household(
        officer, family["household"].pk, year, [family["father"].pk], on=D(year - 1, 10, 15)
    )
    father = Enrollment.objects.get(person=family["father"])
    assert father.status == "owed"
    client.force_login(officer)
    url = reverse("enrollment:household", args=[family["household"].pk])
    html = client.get(f"{url}?year={year}").content.decode()
    assert reverse("enrollment:pay", args=[father.pk]) not in html
    assert "收取现金" not in html
    assert f"为所选成员登记{year}年度参保" not in html
    assert 'name="person_ids"' not in html
    assert "不能再缴费" in html and f"已超出{year}年度" in html
    assert f"不能登记{year}年度参保" in html and f"{year}年度已结束" in html
    # Cancelling the unpaid enrollment is still possible.
    assert reverse("enrollment:cancel", args=[father.pk]) in html


def test_an_open_year_still_offers_them(client, officer, this_year, family):
    services.do_enroll_household(officer, family["household"].pk, this_year.year)
    client.force_login(officer)
    url = reverse("enrollment:household", args=[family["household"].pk])
    html = client.get(f"{url}?year={this_year.year}").content.decode()
    assert "收取现金" in html and "不能再缴费" not in html and "不能登记" not in html
