"""Enrolling a household: its current members, skipping the enrolled, refusing the dead."""

import datetime

import pytest

from huimin.core.errors import NotFound, ValidationFailed
from huimin.insurance.enrollment import services
from huimin.insurance.enrollment.models import Enrollment
from huimin.registry.models import Person
from tests import factories
from tests.enrollment.conftest import IN_PERIOD, YEAR
from tests.enrollment.helpers import enroll, writes

D = datetime.date


def test_members_already_enrolled_are_skipped(officer, period, family):
    enroll(officer, family["household"], [family["father"].pk])
    result = services.do_enroll_household(officer, family["household"].pk, YEAR, on=IN_PERIOD)
    assert {e.person_id for e in result.enrolled} == {family["mother"].pk, family["grandma"].pk}
    assert result.skipped == [
        {"person_id": family["father"].pk, "name": "王父", "reason": "已登记2026年度参保"}
    ]
    assert Enrollment.objects.filter(year=YEAR).count() == 3
    again = services.do_enroll_household(officer, family["household"].pk, YEAR, on=IN_PERIOD)
    assert again.enrolled == [] and len(again.skipped) == 3


def test_named_deceased_and_merged_people_are_refused_and_nothing_written(officer, period, family):
    Person.objects.filter(pk=family["mother"].pk).update(death_date=D(2025, 8, 1))
    survivor = factories.make_person("王奶奶")
    Person.objects.filter(pk=family["grandma"].pk).update(status="merged", merged_into=survivor)
    stranger = factories.make_person("路人")
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        enroll(
            officer,
            family["household"],
            [family["father"].pk, family["mother"].pk, family["grandma"].pk, stranger.pk],
        )
    fields = exc.value.fields
    assert "死亡" in fields["person_ids[1]"]
    assert "合并" in fields["person_ids[2]"]
    assert "成员" in fields["person_ids[3]"]
    assert "person_ids[0]" not in fields
    assert writes() == before


def test_enrolling_everyone_skips_the_deceased_with_a_reason(officer, period, family):
    Person.objects.filter(pk=family["mother"].pk).update(death_date=D(2025, 8, 1))
    result = services.do_enroll_household(officer, family["household"].pk, YEAR, on=IN_PERIOD)
    assert {e.person_id for e in result.enrolled} == {family["father"].pk, family["grandma"].pk}
    assert [s["person_id"] for s in result.skipped] == [family["mother"].pk]
    assert "死亡" in result.skipped[0]["reason"]


def test_no_period_for_the_year_is_refused(officer, period, family):
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        services.do_enroll_household(officer, family["household"].pk, 2031, on=IN_PERIOD)
    assert exc.value.code == "no_enrollment_period"
    assert writes() == before


def test_a_household_outside_the_jurisdiction_is_not_found(period, family, county):
    other = factories.make_staff("clerk2", "township_clerk", factories.TOWNSHIPS[1])
    before = writes()
    with pytest.raises(NotFound):
        enroll(other, family["household"])
    assert writes() == before


def test_an_unpaid_enrollment_can_be_cancelled_and_made_again(officer, period, family):
    father = enroll(officer, family["household"], [family["father"].pk])[family["father"].pk]
    services.do_cancel_enrollment(officer, father.pk)
    father.refresh_from_db()
    assert father.status == "cancelled"
    again = enroll(officer, family["household"], [family["father"].pk])
    assert again[family["father"].pk].pk != father.pk


def test_a_paid_enrollment_cannot_be_cancelled(officer, period, family):
    from huimin.core.errors import Conflict

    grandma = enroll(officer, family["household"])[family["grandma"].pk]  # paid (tekun)
    before = writes()
    with pytest.raises(Conflict):
        services.do_cancel_enrollment(officer, grandma.pk)
    assert writes() == before
