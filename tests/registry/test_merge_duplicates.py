"""Likely duplicates are listed, and merging one into another keeps history."""

import datetime

import pytest

from huimin.core.errors import Conflict, ValidationFailed
from huimin.registry import services
from huimin.registry.models import HouseholdMembership, Person, PersonMerge
from tests import factories

D = datetime.date


@pytest.fixture
def twins_on_paper(county):
    a = factories.make_person("黄丽", birth=D(1970, 7, 7), sex="2")
    b = factories.make_person("黄丽", birth=D(1970, 7, 7), sex="2")
    factories.make_household(b)
    factories.make_person("黄丽", birth=D(1971, 7, 7), sex="2")  # another birth date
    return a, b


def test_same_name_birth_and_village_are_listed(officer, twins_on_paper):
    groups = services.likely_duplicates(officer)
    assert groups == [
        {"name": "黄丽", "birth_date": D(1970, 7, 7), "village_id": factories.VILLAGES[0], "n": 2}
    ]


def test_merge_moves_the_household_place_and_keeps_a_record(officer, twins_on_paper):
    a, b = twins_on_paper
    hh_id = b.memberships.get().household_id
    merge = services.do_merge_people(officer, a.pk, b.pk, "同一人重复登记")
    b.refresh_from_db()
    assert b.status == "merged" and b.merged_into_id == a.pk
    assert merge.snapshot["id_number_masked"] == b.id_number_masked
    # The survivor takes the duplicate's household place; the old row stays as history.
    assert HouseholdMembership.objects.get(person=a, left_on__isnull=True).household_id == hh_id
    assert HouseholdMembership.objects.get(person=b).left_on is not None
    assert services.likely_duplicates(officer) == []


def test_merge_needs_a_reason_and_changes_nothing_without_one(officer, twins_on_paper):
    a, b = twins_on_paper
    with pytest.raises(ValidationFailed) as exc:
        services.do_merge_people(officer, a.pk, b.pk, "  ")
    assert "reason" in exc.value.fields
    assert Person.objects.filter(status="merged").count() == 0
    assert PersonMerge.objects.count() == 0


def test_a_merged_person_cannot_be_merged_again(officer, twins_on_paper):
    a, b = twins_on_paper
    services.do_merge_people(officer, a.pk, b.pk, "重复")
    with pytest.raises(Conflict):
        services.do_merge_people(officer, a.pk, b.pk, "再次")
