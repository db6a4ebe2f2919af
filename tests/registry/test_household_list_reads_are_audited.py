"""The household list — page and API — shows head names and addresses: each page is one
audit event naming the households shown and every current member of them."""

import pytest

from huimin.audit.models import AuditEvent
from tests import factories
from tests.audit.shown import people_named, rows_named


@pytest.fixture
def households(county):
    head = factories.make_person("户一", village=factories.VILLAGES[0])
    spouse = factories.make_person("户一妻", village=factories.VILLAGES[0], sex="2")
    mine = factories.make_household(head, [spouse], relation="10")
    other_head = factories.make_person("户二", village=factories.VILLAGES[2])
    theirs = factories.make_household(other_head)
    return mine, (head, spouse), theirs


def test_the_page_names_the_households_and_their_members(client, township_clerk, households):
    mine, members, _theirs = households
    client.force_login(township_clerk)
    assert client.get("/registry/households/").status_code == 200
    event = AuditEvent.objects.get(action="search", object_type="registry.household")
    assert rows_named(event) == {mine.pk}  # the other township's household is not shown
    assert people_named(event) == {p.pk for p in members}
    assert event.actor_id == township_clerk.pk and event.outcome == "success"


def test_the_api_names_the_households_and_their_members(client, officer, households):
    mine, members, theirs = households
    client.force_login(officer)
    r = client.get("/api/v1/registry/households")
    assert r.status_code == 200 and len(r.json()["items"]) == 2
    event = AuditEvent.objects.get(action="search", object_type="registry.household")
    assert rows_named(event) == {mine.pk, theirs.pk}
    assert people_named(event) == {*(p.pk for p in members), theirs.head_id}


def test_an_empty_page_reads_no_one(client, township_clerk, county):
    client.force_login(township_clerk)
    assert client.get("/registry/households/").status_code == 200
    assert not AuditEvent.objects.filter(object_type="registry.household").exists()
