"""结案: death, emigration or other; a closed record is read-only and nothing is due."""

import datetime

import pytest
from django.core.management import call_command

from huimin.audit.models import AuditEvent
from huimin.core.errors import Conflict, PermissionDenied, ValidationFailed
from huimin.records import archive, services
from huimin.records.models import DueService, HealthRecord, Programme, RecordStatus
from tests import factories


def add_due(record):
    DueService.objects.get_or_create(
        person=record.person,
        service="health_check",
        occasion="archive-test",
        defaults={
            "record": record,
            "region_code": record.region_code,
            "label": "健康体检",
            "due_on": datetime.date(2026, 10, 1),
            "overdue_on": datetime.date(2026, 12, 31),
        },
    )


def test_closing_makes_the_record_read_only_and_removes_due_services(
    hypertensive, public_health_officer, village_doctor
):
    form, _ = services.do_save_form(
        village_doctor, "htn_followup", {"systolic": "150"}, record_id=hypertensive.pk
    )
    add_due(hypertensive)
    archive.do_close_record(
        public_health_officer, hypertensive.pk, "emigration", datetime.date(2026, 5, 1)
    )
    record = HealthRecord.objects.get(pk=hypertensive.pk)
    assert (record.status, record.closed_on, record.close_reason) == (
        RecordStatus.CLOSED,
        datetime.date(2026, 5, 1),
        "emigration",
    )
    assert not DueService.objects.filter(record=record).exists()
    programme = Programme.objects.get(record=record)
    assert programme.ended_on == datetime.date(2026, 5, 1)
    for attempt in (
        lambda: services.do_save_form(
            village_doctor, "htn_followup", {"systolic": "140"}, record_id=record.pk
        ),
        lambda: services.do_save_form(
            village_doctor,
            "htn_followup",
            {"systolic": "140"},
            record_id=record.pk,
            form_id=form.pk,
        ),
    ):
        with pytest.raises(Conflict) as err:
            attempt()
        assert err.value.code == "record_closed"
    # Still readable.
    assert services.read_record(village_doctor, record.pk).pk == record.pk
    assert AuditEvent.objects.filter(
        object_type="records.record", object_id=str(record.pk), reason="close:emigration"
    ).exists()


def test_a_closed_record_cannot_be_closed_again(resident_record, public_health_officer):
    archive.do_close_record(public_health_officer, resident_record.pk, "other")
    with pytest.raises(Conflict) as err:
        archive.do_close_record(public_health_officer, resident_record.pk, "other")
    assert err.value.code == "record_closed"


def test_death_closes_on_the_registry_death_date(resident_record, public_health_officer):
    with pytest.raises(ValidationFailed) as err:
        archive.do_close_record(public_health_officer, resident_record.pk, "death")
    assert "reason" in err.value.fields  # no death recorded in the registry yet
    person = resident_record.person
    person.death_date = datetime.date(2026, 3, 1)
    person.save()
    record = archive.do_close_record(public_health_officer, resident_record.pk, "death")
    assert record.closed_on == datetime.date(2026, 3, 1)


def test_doctors_do_not_close_records(resident_record, village_doctor):
    with pytest.raises(PermissionDenied):
        archive.do_close_record(village_doctor, resident_record.pk, "other")


def test_the_nightly_command_closes_the_deceased_once(
    county, resident_record, village_doctor, capsys
):
    living = services.do_open_record(village_doctor, factories.make_person("李四").pk)
    late = services.do_open_record(
        village_doctor, factories.make_person("赵五").pk, opened_on=datetime.date(2026, 2, 1)
    )
    add_due(resident_record)
    for record, died in ((resident_record, datetime.date(2026, 4, 2)), (late, None)):
        record.person.death_date = died or datetime.date(2026, 1, 15)  # before the file
        record.person.save()

    call_command("close_deceased_records")
    assert "2 份" in capsys.readouterr().out
    closed = {r.pk: r for r in HealthRecord.objects.filter(status=RecordStatus.CLOSED)}
    assert set(closed) == {resident_record.pk, late.pk}
    assert closed[resident_record.pk].closed_on == datetime.date(2026, 4, 2)
    assert closed[resident_record.pk].close_reason == "death"
    assert closed[late.pk].closed_on == datetime.date(2026, 2, 1)
    assert not DueService.objects.filter(record=resident_record).exists()
    assert HealthRecord.objects.get(pk=living.pk).status == RecordStatus.ACTIVE

    call_command("close_deceased_records")
    assert "0 份" in capsys.readouterr().out
    assert HealthRecord.objects.get(pk=resident_record.pk).closed_on == datetime.date(2026, 4, 2)
