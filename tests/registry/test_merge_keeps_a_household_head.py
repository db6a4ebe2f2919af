"""Merging away a household's head never leaves the household headless: the survivor
takes over where they are (or become) a member; otherwise the merge is refused until the
officer chooses a new head, and nothing changes."""

import datetime

import pytest

from huimin.core.errors import Conflict
from huimin.registry import services
from huimin.registry.models import Household, HouseholdMembership, Person
from tests import factories

D = datetime.date


def _person(name="黄丽"):
    return factories.make_person(name, birth=D(1970, 7, 7), sex="2")


def test_the_survivor_in_the_same_household_becomes_its_head(officer, county):
    head, survivor = _person(), _person()
    child = factories.make_person("黄小明", birth=D(2000, 1, 1))
    hh = factories.make_household(head, others=[survivor, child])

    services.do_merge_people(officer, survivor.pk, head.pk, "同户重复登记")

    hh.refresh_from_db()
    assert hh.head_id == survivor.pk
    place = HouseholdMembership.objects.get(person=survivor, left_on__isnull=True)
    assert place.household_id == hh.pk and place.relation == "02"
    heads = HouseholdMembership.objects.filter(household=hh, left_on__isnull=True, relation="02")
    assert [m.person_id for m in heads] == [survivor.pk]


def test_a_survivor_without_a_household_takes_the_head_place(officer, county):
    head, survivor = _person(), _person()
    hh = factories.make_household(head, others=[factories.make_person("黄小明")])

    services.do_merge_people(officer, survivor.pk, head.pk, "重复登记")

    hh.refresh_from_db()
    assert hh.head_id == survivor.pk
    place = HouseholdMembership.objects.get(person=survivor, left_on__isnull=True)
    assert place.household_id == hh.pk and place.relation == "02"


def test_a_survivor_in_another_household_needs_a_head_chosen_first(officer, county):
    head, survivor = _person(), _person()
    spouse = factories.make_person("李强", birth=D(1968, 1, 1))
    hh = factories.make_household(head, others=[spouse], relation="10")
    factories.make_household(survivor)

    with pytest.raises(Conflict) as exc:
        services.do_merge_people(officer, survivor.pk, head.pk, "重复登记")
    assert "请先为该户变更户主" in exc.value.message
    hh.refresh_from_db()
    assert hh.head_id == head.pk
    assert Person.objects.get(pk=head.pk).status == "active"
    assert HouseholdMembership.objects.filter(person=head, left_on__isnull=True).exists()

    # Once the officer has chosen the spouse as head, the merge goes through.
    services.do_change_head(officer, hh.pk, spouse.pk, "10")
    services.do_merge_people(officer, survivor.pk, head.pk, "重复登记")
    assert Household.objects.get(pk=hh.pk).head_id == spouse.pk


def test_a_household_the_duplicate_alone_formed_is_left_without_members(officer, county):
    head, survivor = _person(), _person()
    hh = factories.make_household(head)
    factories.make_household(survivor)

    services.do_merge_people(officer, survivor.pk, head.pk, "重复登记")

    hh.refresh_from_db()
    assert hh.head_id is None
    assert not hh.memberships.filter(left_on__isnull=True).exists()
