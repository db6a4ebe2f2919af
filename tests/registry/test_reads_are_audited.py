"""Every read of a person's data is audited — pages and API — and so is a refused one."""

import pytest
from django.urls import reverse

from huimin.audit.models import AuditEvent
from huimin.registry.models import Person
from tests import factories
from tests.audit.shown import people_named, rows_named


@pytest.fixture
def people(county):
    inside = factories.make_person("严一", village=factories.VILLAGES[0])
    outside = factories.make_person("严二", village=factories.VILLAGES[2])
    factories.make_household(inside)
    return inside, outside


def events(**kw):
    return list(AuditEvent.objects.filter(**kw).values_list("action", "outcome", "reason"))


def test_person_page_read_is_recorded_with_who_and_what(client, township_clerk, people):
    inside, _ = people
    client.force_login(township_clerk)
    assert client.get(reverse("registry:person_detail", args=[inside.pk])).status_code == 200
    event = AuditEvent.objects.get(object_type="registry.person", object_id=str(inside.pk))
    assert (event.action, event.outcome) == ("read", "success")
    assert event.actor_username == "clerk" and event.role == "township_clerk"
    assert event.region_code == inside.village_id


def test_reading_outside_the_jurisdiction_is_404_and_recorded(client, township_clerk, people):
    _, outside = people
    client.force_login(township_clerk)
    assert client.get(reverse("registry:person_detail", args=[outside.pk])).status_code == 404
    r = client.get(f"/api/v1/registry/people/{outside.pk}")
    assert r.status_code == 404
    assert events(object_id=str(outside.pk)) == [("read", "denied", "out_of_jurisdiction")] * 2


def test_search_results_are_recorded(client, township_clerk, people):
    inside, _ = people
    client.force_login(township_clerk)
    client.get(reverse("registry:person_list"), {"q": "yy"})
    event = AuditEvent.objects.get(action="search")
    assert inside.pk in rows_named(event) and inside.pk in people_named(event)


def test_cashier_asking_for_a_full_id_number_is_refused_and_recorded(client, people):
    inside, _ = people
    hospital = factories.make_institution()
    cashier = factories.make_staff("cashier", "cashier", factories.COUNTY, institution=hospital)
    client.force_login(cashier)
    r = client.get(f"/api/v1/registry/people/{inside.pk}/id-number", {"purpose": "核对身份"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "unmask_forbidden"
    assert inside.reveal_id_number() not in r.content.decode()
    assert events(action="unmask") == [("unmask", "denied", "no_unmask_permission")]


def test_officer_unmasks_with_a_purpose_and_it_is_recorded(client, officer, people):
    inside, _ = people
    client.force_login(officer)
    assert client.get(f"/api/v1/registry/people/{inside.pk}/id-number").status_code == 422
    r = client.get(f"/api/v1/registry/people/{inside.pk}/id-number", {"purpose": "参保登记核对"})
    assert r.status_code == 200
    assert r.json()["id_number"] == Person.objects.get(pk=inside.pk).reveal_id_number()
    event = AuditEvent.objects.get(action="unmask", outcome="success")
    assert event.purpose == "参保登记核对" and event.fields == ["id_number"]


def test_a_long_list_records_every_row_shown(client, officer, county):
    shown = [factories.make_person(f"列{i}", village=factories.VILLAGES[1]) for i in range(40)]
    client.force_login(officer)
    client.get("/api/v1/registry/people", {"region": factories.VILLAGES[1], "limit": 100})
    event = AuditEvent.objects.get(action="search")  # one event, however long the page
    assert rows_named(event) == people_named(event) == {p.pk for p in shown}
