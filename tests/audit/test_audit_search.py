"""The audit search (/audit/ and GET /api/v1/audit/events): filters, newest first,
keyset pages without COUNT, and every search itself audited."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from huimin.audit.models import AuditEvent
from huimin.audit.services import record
from tests import factories

API = "/api/v1/audit/events"


def at_clock(at, **kwargs):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: at)
        return record(**kwargs)


@pytest.fixture
def log(officer, township_clerk):
    """Reads and updates by two people in two villages, over three days."""
    now = timezone.now()
    events = {
        "old_read": at_clock(
            now - datetime.timedelta(days=2),
            action="read",
            actor=officer,
            object_type="registry.person",
            object_id="11",
            region_code=factories.VILLAGES[0],
        ),
        "update": at_clock(
            now - datetime.timedelta(days=1),
            action="update",
            actor=township_clerk,
            object_type="registry.household",
            object_id="5",
            region_code=factories.VILLAGES[1],
        ),
        "denied": record(
            action="read",
            actor=township_clerk,
            object_type="registry.person",
            object_id="12",
            region_code=factories.VILLAGES[2],
            outcome="denied",
            reason="out_of_jurisdiction",
        ),
        "new_read": record(
            action="read",
            actor=officer,
            object_type="registry.person",
            object_id="11",
            region_code=factories.VILLAGES[0],
        ),
    }
    return events


def ids(response):
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.django_db
def test_newest_first_and_each_filter_narrows(client, auditor, log):
    client.force_login(auditor)
    everything = ids(client.get(API))
    assert everything == [
        log["new_read"].pk,
        log["denied"].pk,
        log["update"].pk,
        log["old_read"].pk,
    ]
    assert ids(client.get(API, {"actor": "clerk"})) == [log["denied"].pk, log["update"].pk]
    assert ids(client.get(API, {"object_type": "registry.person", "object_id": "11"})) == [
        log["new_read"].pk,
        log["old_read"].pk,
    ]
    assert ids(client.get(API, {"region": factories.TOWNSHIPS[0]})) == [
        log["new_read"].pk,
        log["update"].pk,
        log["old_read"].pk,
    ]
    assert ids(client.get(API, {"action": "update"})) == [log["update"].pk]
    assert ids(client.get(API, {"outcome": "denied"})) == [log["denied"].pk]
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    assert ids(client.get(API, {"date_from": yesterday, "date_to": yesterday})) == [
        log["update"].pk
    ]


@pytest.mark.django_db
def test_every_search_is_itself_audited(client, auditor, log):
    client.force_login(auditor)
    client.get(API, {"action": "update"})
    client.get("/audit/", {"actor": "officer"})

    searches = AuditEvent.objects.filter(action="search", object_type="audit.event")
    assert searches.count() == 2
    assert all(s.actor_id == auditor.pk and s.role == "audit_admin" for s in searches)
    assert {tuple(s.fields) for s in searches} == {("action",), ("actor",)}


@pytest.mark.django_db
def test_pages_follow_the_cursor_without_counting(client, auditor, officer, settings):
    for i in range(12):
        record(action="read", actor=officer, object_type="registry.person", object_id=str(i))
    client.force_login(auditor)
    seen, cursor = [], ""
    with CaptureQueriesContext(connection) as ctx:
        while True:
            body = client.get(API, {"limit": 5, "after": cursor, "actor": "officer"}).json()
            seen += [item["object_id"] for item in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
    assert seen == [str(i) for i in reversed(range(12))]
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.django_db
def test_the_page_lists_events_with_role_and_institution_names(client, auditor, county):
    hospital = factories.make_institution("新邵县中医医院")
    cashier = factories.make_staff("cashier1", "cashier", institution=hospital)
    record(action="read", actor=cashier, object_type="registry.person", object_id="3")
    client.force_login(auditor)

    page = client.get("/audit/").content.decode()

    assert "cashier1" in page
    assert "医疗机构收费员" in page
    assert "新邵县中医医院" in page


@pytest.mark.django_db
def test_the_list_page_costs_the_same_queries_for_more_rows(client, auditor, county):
    def institutions_reading(n):
        for i in range(n):
            inst = factories.make_institution(f"卫生院{i}")
            staff = factories.make_staff(f"doc{n}_{i}", "doctor", institution=inst)
            record(action="read", actor=staff, object_id=str(i))

    client.force_login(auditor)
    client.get("/audit/")  # the session's first request does one-off account checks
    institutions_reading(2)
    with CaptureQueriesContext(connection) as few:
        client.get("/audit/")
    institutions_reading(10)
    with CaptureQueriesContext(connection) as many:
        client.get("/audit/")
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_event_detail_shows_the_hash_and_is_audited(client, auditor, log):
    client.force_login(auditor)
    event = log["update"]

    response = client.get(f"/audit/events/{event.pk}/")

    assert response.status_code == 200
    assert event.hash in response.content.decode()
    assert AuditEvent.objects.filter(
        action="read", object_type="audit.event", object_id=str(event.pk), actor=auditor
    ).exists()


@pytest.mark.django_db
def test_bad_filters_are_refused_by_the_api_and_no_search_is_recorded(client, auditor, log):
    client.force_login(auditor)
    before = AuditEvent.objects.count()
    for params, field in [
        ({"action": "teleport"}, "action"),
        ({"region": "43x"}, "region"),
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to"),
        ({"object_type": "registry person"}, "object_type"),
        ({"limit": 0}, "limit"),
        ({"limit": 10000}, "limit"),
        ({"after": "yesterday"}, "after"),
        ({"actor": "x" * 151}, "actor"),
    ]:
        response = client.get(API, params)
        assert response.status_code == 422, params
        body = response.json()["error"]
        assert body["code"] == "validation_failed"
        assert field in body["fields"], params
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_bad_filter_on_the_page_is_reported_and_ignored(client, auditor, log):
    client.force_login(auditor)
    response = client.get("/audit/", {"action": "teleport", "actor": "clerk"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "动作：动作不在允许范围内" in page
    assert f'href="/audit/events/{log["update"].pk}/"' in page
    assert f'href="/audit/events/{log["new_read"].pk}/"' not in page


@pytest.mark.django_db
def test_an_id_too_big_for_the_database_is_not_found(client, auditor, security_admin):
    huge = "9" * 25
    client.force_login(auditor)
    assert client.get(f"/audit/events/{huge}/").status_code == 404
    response = client.get(f"{API}/{huge}")
    assert response.status_code in (404, 422)
    client.force_login(security_admin)
    assert client.get(f"/audit/alerts/{huge}/").status_code == 404
    assert client.post(f"/audit/alerts/{huge}/close/", {"note": "x"}).status_code == 404
    assert client.get("/audit/alerts/", {"after": huge}).status_code == 200
