"""档案迁移: every row moves to the new village; the old area keeps a read-only trace."""

import datetime

import pytest

from huimin.audit.models import AuditEvent
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.records import archive, services
from huimin.records.models import DueService, Finding, Form, HealthRecord, Programme
from tests import factories

NEW_VILLAGE = factories.VILLAGES[2]  # 严塘村, in the other township


@pytest.fixture
def new_area_officer(county):
    return factories.make_staff("gongwei2", "public_health_officer", factories.TOWNSHIPS[1])


@pytest.fixture
def full_record(hypertensive, village_doctor):
    """A record with a draft follow-up, a due service and a finding."""
    services.do_save_form(
        village_doctor, "htn_followup", {"systolic": "150"}, record_id=hypertensive.pk
    )
    common = {"record": hypertensive, "region_code": hypertensive.region_code}
    # The schedule may have made due rows already; this one is ours either way.
    DueService.objects.get_or_create(
        person=hypertensive.person,
        service="health_check",
        occasion="archive-test",
        defaults={
            **common,
            "doctor": village_doctor,
            "label": "健康体检",
            "due_on": datetime.date(2026, 10, 1),
            "overdue_on": datetime.date(2026, 12, 31),
        },
    )
    Finding.objects.create(
        **common, rule="followup_missing", severity="warning", message="本季度未随访"
    )
    return hypertensive


def rows_in(record, region_code):
    return [
        model.objects.filter(record=record, region_code=region_code).count()
        for model in (Form, Programme, DueService, Finding)
    ]


def test_a_transfer_moves_the_record_and_every_row(full_record, public_health_officer):
    old = full_record.region_code
    before = rows_in(full_record, old)
    assert all(before)
    trace = archive.do_transfer_record(public_health_officer, full_record.pk, NEW_VILLAGE, "搬迁")
    full_record.refresh_from_db()
    assert full_record.region_code == NEW_VILLAGE
    assert full_record.responsible_doctor is None
    assert full_record.number.startswith(old)  # the file keeps its number
    assert rows_in(full_record, NEW_VILLAGE) == before
    assert rows_in(full_record, old) == [0, 0, 0, 0]
    assert not DueService.objects.filter(record=full_record, doctor__isnull=False).exists()
    assert (trace.region_code, trace.from_region_code, trace.to_region_code) == (
        old,
        old,
        NEW_VILLAGE,
    )
    event = AuditEvent.objects.get(
        action="update", object_type="records.record", object_id=str(full_record.pk)
    )
    assert event.changes["region_code"] == [old, NEW_VILLAGE]
    assert event.region_code == old


def test_the_old_area_keeps_the_trace_but_not_the_forms(
    full_record, public_health_officer, village_doctor
):
    trace = archive.do_transfer_record(public_health_officer, full_record.pk, NEW_VILLAGE, "搬迁")
    for user in (public_health_officer, village_doctor):
        assert list(archive.transfers_out(user)) == [trace]
        assert archive.read_transfer(user, trace.pk).record.number == full_record.number
        assert not Form.objects.visible_to(user).filter(person=full_record.person).exists()
        assert not DueService.objects.visible_to(user).exists()
        with pytest.raises(NotFound):
            services.read_record(user, full_record.pk)
    assert AuditEvent.objects.filter(
        action="read", object_type="records.transfer", object_id=str(trace.pk)
    ).exists()


def test_the_new_area_sees_the_whole_record_and_can_write(
    full_record, public_health_officer, other_village_doctor, new_area_officer
):
    archive.do_transfer_record(public_health_officer, full_record.pk, NEW_VILLAGE, "搬迁")
    record = services.read_record(other_village_doctor, full_record.pk)
    assert Form.objects.visible_to(other_village_doctor).filter(record=record).count() == 1
    assert Programme.objects.visible_to(other_village_doctor).filter(record=record).count() == 1
    form, _ = services.do_save_form(
        other_village_doctor, "htn_followup", {"systolic": "140"}, record_id=record.pk
    )
    assert form.region_code == NEW_VILLAGE
    # The new area's officer assigns its own responsible doctor.
    archive.do_assign_doctor(new_area_officer, record.pk, other_village_doctor.pk)
    record.refresh_from_db()
    assert record.responsible_doctor == other_village_doctor
    assert {d.doctor for d in DueService.objects.filter(record=record)} == {other_village_doctor}
    # The new area has no trace of a transfer out.
    assert not archive.transfers_out(new_area_officer).exists()


def test_a_doctor_outside_the_village_cannot_be_made_responsible(
    resident_record, public_health_officer, other_village_doctor
):
    with pytest.raises(ValidationFailed) as err:
        archive.do_assign_doctor(public_health_officer, resident_record.pk, other_village_doctor.pk)
    assert "doctor" in err.value.fields
    # Nor someone who is not a doctor.
    with pytest.raises(ValidationFailed):
        archive.do_assign_doctor(
            public_health_officer, resident_record.pk, public_health_officer.pk
        )


def test_only_the_old_areas_archive_staff_transfer(
    resident_record, village_doctor, new_area_officer
):
    with pytest.raises(PermissionDenied):  # a doctor has no record.archive
        archive.do_transfer_record(village_doctor, resident_record.pk, NEW_VILLAGE, "搬迁")
    with pytest.raises(NotFound):  # the receiving area cannot pull a record it cannot see
        archive.do_transfer_record(new_area_officer, resident_record.pk, NEW_VILLAGE, "搬迁")
    assert HealthRecord.objects.get(pk=resident_record.pk).region_code == factories.VILLAGES[0]


@pytest.mark.parametrize("destination", ["430522101", "430522101299", "", factories.VILLAGES[0]])
def test_the_destination_must_be_another_registered_village(
    resident_record, public_health_officer, destination
):
    with pytest.raises(ValidationFailed) as err:
        archive.do_transfer_record(public_health_officer, resident_record.pk, destination, "搬迁")
    assert "to_region_code" in err.value.fields


def test_a_transfer_needs_a_reason_and_an_open_record(resident_record, public_health_officer):
    with pytest.raises(ValidationFailed):
        archive.do_transfer_record(public_health_officer, resident_record.pk, NEW_VILLAGE, " ")
    archive.do_close_record(
        public_health_officer, resident_record.pk, "other", datetime.date(2026, 1, 1)
    )
    with pytest.raises(Conflict) as err:
        archive.do_transfer_record(public_health_officer, resident_record.pk, NEW_VILLAGE, "搬迁")
    assert err.value.code == "record_closed"
