"""coverage_on: the settlement service's question — insured on this date? — in one query."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from huimin.insurance.enrollment import services
from huimin.registry.models import PersonCategory
from tests.enrollment.helpers import enroll, pay_cash

D = datetime.date


def test_not_insured_before_payment_insured_after(officer, period, family):
    father = enroll(officer, family["household"])[family["father"].pk]
    assert services.coverage_on(family["father"].pk, D(2026, 3, 1)) is None
    pay_cash(officer, father)
    cov = services.coverage_on(family["father"].pk, D(2026, 3, 1))
    assert cov == services.Coverage(
        enrollment_id=father.pk,
        year=2026,
        benefits_from=D(2026, 1, 1),
        categories=[],
        person_category="ordinary",
    )
    # Paid in the period: covered from 1 January, and not in another year.
    assert services.coverage_on(family["father"].pk, D(2026, 1, 1)) is not None
    assert services.coverage_on(family["father"].pk, D(2025, 12, 31)) is None
    assert services.coverage_on(family["father"].pk, D(2027, 1, 1)) is None


def test_categories_are_those_in_force_on_the_date(officer, period, family):
    grandma = family["grandma"]
    enroll(officer, family["household"])  # tekun: paid at enrollment
    PersonCategory.objects.create(person=grandma, category="disabled", valid_from=D(2026, 6, 1))
    PersonCategory.objects.create(
        person=grandma, category="dibao", valid_from=D(2018, 1, 1), valid_to=D(2026, 2, 28)
    )
    march = services.coverage_on(grandma.pk, D(2026, 3, 1))
    assert march.categories == ["tekun"] and march.person_category == "tekun"
    feb = services.coverage_on(grandma.pk, D(2026, 2, 1))
    assert feb.categories == ["dibao", "tekun"] and feb.person_category == "tekun"
    july = services.coverage_on(grandma.pk, D(2026, 7, 1))
    assert july.categories == ["disabled", "tekun"]


def test_dibao_person_category(officer, period, family):
    mother = enroll(officer, family["household"])[family["mother"].pk]
    pay_cash(officer, mother)
    cov = services.coverage_on(family["mother"].pk, D(2026, 5, 5))
    assert cov.categories == ["dibao"] and cov.person_category == "dibao"


def test_one_query(officer, period, family):
    enroll(officer, family["household"])
    PersonCategory.objects.create(
        person=family["grandma"], category="disabled", valid_from=D(2020, 1, 1)
    )
    with CaptureQueriesContext(connection) as ctx:
        cov = services.coverage_on(family["grandma"].pk, D(2026, 4, 1))
    assert len(ctx.captured_queries) == 1
    assert cov.categories == ["disabled", "tekun"]
    with CaptureQueriesContext(connection) as ctx:
        assert services.coverage_on(family["father"].pk, D(2026, 4, 1)) is None
    assert len(ctx.captured_queries) == 1
