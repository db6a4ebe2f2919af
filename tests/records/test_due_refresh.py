"""Due rows follow the record: signing a follow-up moves the next due date and takes the
patient off the overdue list; the rows are replaced, never duplicated."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from huimin.records import due, services
from huimin.records.models import DueService, HealthRecord, Programme
from huimin.records.schedule import quarter_after, quarter_label, quarter_of, quarter_start
from tests import factories


def followup(day: dt.date, next_day: dt.date) -> dict:
    return {
        "visit_date": day.isoformat(),
        "mode": "1",
        "symptoms": ["1"],
        "systolic": "132",
        "diastolic": "84",
        "weight": "70",
        "adherence": "1",
        "adverse_reaction": "1",
        "classification": "1",
        "next_visit_date": next_day.isoformat(),
        "doctor": "李医生",
    }


def rows(record):
    return {
        (d.service, d.occasion): (d.due_on, d.overdue_on, d.doctor_id)
        for d in DueService.objects.filter(record=record)
    }


def test_a_signed_follow_up_moves_the_next_due_date_off_the_overdue_list(
    hypertensive, village_doctor
):
    today = services.today()
    due.refresh(hypertensive)
    before = rows(hypertensive)
    # Registered in 2025 and never followed up: the last quarter passed without a visit.
    current = quarter_of(today)
    assert before[("htn_followup", quarter_label(current))] == (
        dt.date(2025, 1, 6),
        quarter_start(current),
        village_doctor.pk,
    )
    assert DueService.objects.filter(record=hypertensive, overdue_on__lte=today).exists()

    planned = today + dt.timedelta(days=60)
    services.do_save_form(
        village_doctor,
        "htn_followup",
        followup(today, planned),
        record_id=hypertensive.pk,
        sign=True,
    )
    after = rows(hypertensive)
    following = quarter_after(current)
    assert ("htn_followup", quarter_label(current)) not in after
    due_on, overdue_on, _ = after[("htn_followup", quarter_label(following))]
    assert due_on == min(planned, quarter_start(quarter_after(following)) - dt.timedelta(days=1))
    assert overdue_on == quarter_start(quarter_after(following))
    assert not DueService.objects.filter(
        record=hypertensive, service="htn_followup", overdue_on__lte=today
    ).exists()


def test_a_draft_does_not_count_and_a_closed_record_has_nothing_due(hypertensive, village_doctor):
    today = services.today()
    services.do_save_form(
        village_doctor,
        "htn_followup",
        followup(today, today + dt.timedelta(days=30)),
        record_id=hypertensive.pk,
    )
    assert ("htn_followup", quarter_label(quarter_of(today))) in rows(hypertensive)
    HealthRecord.objects.filter(pk=hypertensive.pk).update(status="closed")
    hypertensive.refresh_from_db()
    due.refresh(hypertensive)
    assert rows(hypertensive) == {}


def test_refresh_keeps_rows_in_place_and_follows_the_responsible_doctor(
    hypertensive, village_doctor, other_village_doctor
):
    due.refresh(hypertensive)
    ids = set(DueService.objects.filter(record=hypertensive).values_list("pk", flat=True))
    due.refresh(hypertensive)
    assert set(DueService.objects.filter(record=hypertensive).values_list("pk", flat=True)) == ids
    hypertensive.responsible_doctor = other_village_doctor
    hypertensive.save()
    due.refresh(hypertensive)
    assert {d for (_, _, d) in rows(hypertensive).values()} == {other_village_doctor.pk}


def test_a_batch_refresh_costs_the_same_few_queries_whatever_its_size(county, village_doctor):
    records = []
    for i in range(12):
        person = factories.make_person(f"居民{i}", birth=dt.date(1950 + i, 3, 1))
        record = services.do_open_record(village_doctor, person.pk, opened_on=dt.date(2025, 1, 6))
        Programme.objects.create(
            record=record,
            person=person,
            region_code=record.region_code,
            kind="hypertension",
            registered_on=dt.date(2025, 1, 6),
        )
        records.append(record)
    DueService.objects.all().delete()
    fresh = list(
        HealthRecord.objects.select_related("person").filter(pk__in=[r.pk for r in records])
    )
    with CaptureQueriesContext(connection) as ctx:
        due.refresh_many(fresh)
    # programmes, forms, existing rows (locked), one insert; plus savepoint statements.
    assert len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]) <= 5
    assert DueService.objects.filter(service="htn_followup").count() == 12
