"""The due list page: scoped to the viewer's area, urgent first, audited, and a bounded
number of queries however many rows it shows."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from huimin.audit.models import AuditEvent
from huimin.records import due, services
from huimin.records.models import DueService, Programme
from tests import factories
from tests.audit.shown import people_named


def hypertensive_in(doctor, name, village=factories.VILLAGES[0], registered=dt.date(2025, 1, 6)):
    """A hypertension patient of `village`, with the record opened by `doctor` or, in
    another village, by that village's own doctor."""
    if village != doctor.staff.jurisdiction:
        doctor = doctor_of(village)
    person = factories.make_person(name, village=village, birth=dt.date(1960, 8, 8))
    record = services.do_open_record(doctor, person.pk, opened_on=dt.date(2025, 1, 6))
    Programme.objects.create(
        record=record,
        person=person,
        region_code=record.region_code,
        kind="hypertension",
        registered_on=registered,
    )
    due.refresh(record)
    return record


def doctor_of(village):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=f"doc{village}").first()
    if user is None:
        clinic = factories.make_institution(f"{village}卫生室", village, "village_clinic", "1")
        user = factories.make_staff(f"doc{village}", "village_doctor", village, clinic)
    return user


def names(response):
    return [r.person.name for r in response.context["rows"]]


def test_a_village_doctor_sees_the_village_most_overdue_first(client, village_doctor):
    today = services.today()
    hypertensive_in(village_doctor, "新病人", registered=today)  # due today, not late
    hypertensive_in(village_doctor, "老病人")  # never followed up: late since quarter start
    client.force_login(village_doctor)
    response = client.get("/records/due/", {"service": "htn_followup"})
    assert response.status_code == 200
    assert names(response) == ["老病人", "新病人"]
    rows = response.context["rows"]
    assert rows[0].days_overdue > 0 and rows[1].days_overdue == 0
    assert "老病人" in response.content.decode()
    only_late = client.get("/records/due/", {"service": "htn_followup", "overdue": "1"})
    assert names(only_late) == ["老病人"]
    event = AuditEvent.objects.filter(action="search", object_type="records.due").last()
    assert event is not None and rows[0].person_id in people_named(event)


def test_a_doctor_of_another_village_sees_nothing(client, village_doctor, other_village_doctor):
    hypertensive_in(village_doctor, "老病人")
    client.force_login(other_village_doctor)
    response = client.get("/records/due/")
    assert response.status_code == 200 and names(response) == []
    # Asking for the other village by code changes nothing: the scope comes first.
    response = client.get("/records/due/", {"village": factories.VILLAGES[0]})
    assert names(response) == []
    assert "老病人" not in client.get("/records/due/plan/").content.decode()


def test_township_staff_see_their_villages_and_can_narrow_to_one(
    client, village_doctor, public_health_officer
):
    hypertensive_in(village_doctor, "城东病人")
    hypertensive_in(village_doctor, "城西病人", village=factories.VILLAGES[1])
    hypertensive_in(village_doctor, "严塘病人", village=factories.VILLAGES[2])
    client.force_login(public_health_officer)
    response = client.get("/records/due/", {"service": "htn_followup"})
    assert sorted(names(response)) == ["城东病人", "城西病人"]
    assert [v.code for v in response.context["villages"]] == factories.VILLAGES[:2]
    response = client.get(
        "/records/due/", {"service": "htn_followup", "village": factories.VILLAGES[1]}
    )
    assert names(response) == ["城西病人"]


def test_the_visit_plan_groups_by_village_and_day(client, village_doctor, public_health_officer):
    hypertensive_in(village_doctor, "城东病人")
    hypertensive_in(village_doctor, "城西病人", village=factories.VILLAGES[1])
    client.force_login(public_health_officer)
    response = client.get("/records/due/plan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        html.index("城东村")
        < html.index("城东病人")
        < html.index("城西村")
        < html.index("城西病人")
    )


def test_staff_without_record_access_are_refused(client, township_clerk):
    client.force_login(township_clerk)
    assert client.get("/records/due/").status_code == 403


def test_the_list_costs_the_same_queries_for_two_rows_or_twenty(client, village_doctor):
    client.force_login(village_doctor)
    for i in range(2):
        hypertensive_in(village_doctor, f"病人{i}")
    client.get("/records/due/")  # warm caches (role grants, session)
    with CaptureQueriesContext(connection) as few:
        client.get("/records/due/")
    for i in range(2, 20):
        hypertensive_in(village_doctor, f"病人{i}")
    assert DueService.objects.count() >= 20
    with CaptureQueriesContext(connection) as many:
        response = client.get("/records/due/")
    assert len(response.context["rows"]) >= 20
    assert len(many) == len(few)
    # The page's own, plus fixed costs per request: the policy version, the audit event's
    # person index, three rate-limit counters (core/ratelimit.py).
    assert len(many) <= 18
