"""建档: one file per person, numbered within the village, refused for the deceased."""

import datetime

import pytest

from huimin.audit.models import AuditEvent
from huimin.core.errors import Conflict, NotFound, PermissionDenied
from huimin.records import services
from tests import factories


def test_records_are_numbered_by_village_code_and_serial(resident, village_doctor):
    first = services.do_open_record(village_doctor, resident.pk)
    second = services.do_open_record(village_doctor, factories.make_person("李四").pk)
    assert first.number == factories.VILLAGES[0] + "00001"
    assert second.number == factories.VILLAGES[0] + "00002"
    assert first.responsible_doctor == village_doctor
    assert first.region_code == factories.VILLAGES[0]
    assert AuditEvent.objects.filter(
        action="create", object_type="records.record", object_id=str(first.pk)
    ).exists()


def test_a_person_has_one_record(resident_record, village_doctor):
    with pytest.raises(Conflict) as err:
        services.do_open_record(village_doctor, resident_record.person_id)
    assert err.value.code == "record_exists"


def test_no_new_record_for_the_deceased(resident, village_doctor):
    resident.death_date = datetime.date(2026, 1, 2)
    resident.save()
    with pytest.raises(Conflict) as err:
        services.do_open_record(village_doctor, resident.pk)
    assert err.value.code == "person_deceased"


def test_a_doctor_cannot_open_a_record_outside_the_village(county, other_village_doctor, resident):
    with pytest.raises(NotFound):
        services.do_open_record(other_village_doctor, resident.pk)


def test_roles_without_record_write_cannot_open_records(county, officer, resident):
    with pytest.raises(PermissionDenied):
        services.do_open_record(officer, resident.pk)
