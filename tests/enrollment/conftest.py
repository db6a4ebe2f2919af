"""Enrollment fixtures: the example plan's contribution, a period, a household of three.

Amounts follow ../shared/examples/plan-example.yaml: individual 400.00, subsidy 670.00,
assistance pays tekun 1.00 and dibao 0.50 of the individual part.
"""

import datetime

import pytest
from django.utils import timezone

from huimin.insurance.enrollment import services
from huimin.registry.models import PersonCategory
from tests import factories

D = datetime.date
YEAR = 2026
IN_PERIOD = D(2025, 10, 15)  # the period runs 2025-09-01 .. 2025-12-31


@pytest.fixture
def client():
    """force_login also completes the second factor (the officer's role requires one)."""
    from huimin.accounts.testing import VerifiedClient

    return VerifiedClient()


@pytest.fixture(autouse=True)
def enrollment_urls(settings):
    # The app's pages and API, mounted by tests/enrollment/urls.py until huimin/urls.py
    # and huimin/api.py include them.
    settings.ROOT_URLCONF = "tests.enrollment.urls"


@pytest.fixture
def reference_data(transactional_db):
    """For transactional tests: put back what the migrations seed and an earlier test's
    flush wiped — the national region codes and the roles' permissions (as
    tests/browser/conftest.py does)."""
    from django.core.cache import cache

    from huimin.policy.permissions import DEFAULT_GRANTS
    from huimin.registry.models import Region, RolePermission
    from huimin.registry.regions import load_national

    if not Region.objects.filter(code=factories.COUNTY).exists():
        load_national(Region)
    RolePermission.objects.bulk_create(
        [RolePermission(role=r, permission=p) for r, ps in DEFAULT_GRANTS.items() for p in ps],
        ignore_conflicts=True,
    )
    cache.clear()  # role grants are cached; entries from before a flush would be stale


@pytest.fixture
def period(officer):
    return services.do_create_period(
        officer,
        services.PeriodData(
            region_code=factories.COUNTY,
            year=YEAR,
            opens_on=D(2025, 9, 1),
            closes_on=D(2025, 12, 31),
            waiting_days=90,
            individual="400.00",
            subsidy="670.00",
            shares={"tekun": "1.00", "dibao": "0.50"},
        ),
    )


@pytest.fixture
def this_year(officer):
    """A period open all of this year: enrolling and paying today is on time."""
    year = timezone.localdate().year
    return services.do_create_period(
        officer,
        services.PeriodData(
            region_code=factories.COUNTY,
            year=year,
            opens_on=D(year, 1, 1),
            closes_on=D(year, 12, 31),
            individual="400.00",
            subsidy="670.00",
            shares={"tekun": "1.00", "dibao": "0.50"},
        ),
    )


@pytest.fixture
def family(county):
    """王父 (ordinary), 王母 (dibao since 2020), 王奶奶 (tekun since 2019) in one household."""
    father = factories.make_person("王父", birth=D(1978, 3, 1))
    mother = factories.make_person("王母", birth=D(1980, 6, 9), sex="2")
    grandma = factories.make_person("王奶奶", birth=D(1945, 1, 20), sex="2")
    PersonCategory.objects.create(person=mother, category="dibao", valid_from=D(2020, 1, 1))
    PersonCategory.objects.create(person=grandma, category="tekun", valid_from=D(2019, 5, 1))
    household = factories.make_household(father, [mother, grandma], relation="10")
    return {"household": household, "father": father, "mother": mother, "grandma": grandma}
