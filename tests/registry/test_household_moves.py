"""Moving a member between households keeps history; the head rules hold."""

import datetime

import pytest

from huimin.core.errors import ValidationFailed
from huimin.registry import rules, services
from huimin.registry.models import Household, HouseholdMembership
from tests import factories

D = datetime.date


@pytest.fixture
def two_households(county):
    head_a = factories.make_person("陈大", birth=D(1960, 1, 1))
    child = factories.make_person("陈小", birth=D(1990, 2, 2))
    head_b = factories.make_person("林大", birth=D(1962, 3, 3), sex="2")
    a = factories.make_household(head_a, others=[child], relation="20")
    b = factories.make_household(head_b)
    return a, b, head_a, child, head_b


def test_move_keeps_the_old_membership_as_history(officer, two_households):
    a, b, _, child, _ = two_households
    services.do_move_member(officer, child.pk, b.pk, "10", "结婚迁入", on=D(2026, 5, 1))
    old = HouseholdMembership.objects.get(household=a, person=child)
    new = HouseholdMembership.objects.get(household=b, person=child)
    assert old.left_on == D(2026, 5, 1)
    assert old.reason == "结婚迁入"
    assert new.left_on is None and new.joined_on == D(2026, 5, 1) and new.relation == "10"


def test_head_cannot_leave_while_others_remain(officer, two_households):
    _, b, head_a, _, _ = two_households
    before = list(HouseholdMembership.objects.values_list("id", "left_on"))
    with pytest.raises(ValidationFailed) as exc:
        services.do_move_member(officer, head_a.pk, b.pk, "10", "迁出", on=D(2026, 5, 1))
    assert exc.value.fields["person_id"] == "户主迁出前须先变更户主"
    assert list(HouseholdMembership.objects.values_list("id", "left_on")) == before


def test_change_head_then_old_head_can_move(officer, two_households):
    a, b, head_a, child, _ = two_households
    services.do_change_head(officer, a.pk, child.pk, old_head_relation="50")
    a.refresh_from_db()
    assert a.head_id == child.pk
    relations = dict(
        HouseholdMembership.objects.filter(household=a).values_list("person_id", "relation")
    )
    assert relations == {child.pk: "02", head_a.pk: "50"}
    services.do_move_member(officer, head_a.pk, b.pk, "50", "投靠亲属", on=D(2026, 6, 1))
    assert not a.memberships.filter(person=head_a, left_on__isnull=True).exists()


def test_moving_into_the_same_household_is_refused(officer, two_households):
    a, _, _, child, _ = two_households
    with pytest.raises(ValidationFailed) as exc:
        services.do_move_member(officer, child.pk, a.pk, "20", "重复", on=D(2026, 5, 1))
    assert "to_household_id" in exc.value.fields


def test_database_refuses_two_current_households(two_households):
    # The partial unique constraint is the last line of defence behind the service.
    from django.db import IntegrityError, transaction

    _, b, _, child, _ = two_households
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdMembership.objects.create(
            household=b, person=child, relation="20", joined_on=D(2026, 1, 1)
        )


def test_create_household_numbers_it_under_the_village(officer, county):
    p = factories.make_person("郑一")
    data = services.HouseholdData(
        village_code=factories.VILLAGES[1],
        address="城西村3组",
        head_id=p.pk,
        members=[rules.MemberInput(p.pk, "02")],
    )
    hh = services.do_create_household(officer, data)
    assert hh.number == factories.VILLAGES[1] + "0001"
    assert Household.objects.get(pk=hh.pk).head_id == p.pk


def test_update_household_address_and_head_through_the_api(client, officer, two_households):
    a, _, _, child, _ = two_households
    client.force_login(officer)
    url = f"/api/v1/registry/households/{a.pk}"
    r = client.put(
        url,
        {"address": "城东村7组", "head_id": child.pk, "old_head_relation": "50"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["address"] == "城东村7组" and body["head_id"] == child.pk
    # A head who is not a member, or an empty address: refused, nothing changed.
    outsider = factories.make_person("外人", birth=D(1970, 1, 1))
    for bad in (
        {"address": "X", "head_id": outsider.pk, "old_head_relation": "50"},
        {"address": "  "},
    ):
        r = client.put(url, bad, content_type="application/json")
        assert r.status_code == 422, r.json()
    a.refresh_from_db()
    assert (a.address, a.head_id) == ("城东村7组", child.pk)
