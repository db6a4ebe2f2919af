"""动态使用: a settled insured visit counts as use of the person's record."""

import datetime

from django.core.management import call_command

from huimin.insurance.models import Visit
from huimin.records import services
from huimin.records.activity import sync_visit_activity
from huimin.records.models import HealthRecord
from tests import factories


def _visit(person, day, status="settled", no="V1"):
    return Visit.objects.create(
        person=person,
        institution=factories.make_institution(),
        region_code=person.village_id,
        visit_type="outpatient_general",
        institution_level="2",
        his_visit_no=no,
        visit_date=day,
        status=status,
    )


def test_a_settled_visit_makes_the_record_in_use(resident_record):
    assert resident_record.last_activity_on == datetime.date(2025, 1, 6)
    _visit(resident_record.person, datetime.date(2026, 3, 2))
    _visit(resident_record.person, datetime.date(2026, 5, 9), status="cancelled", no="V2")
    assert sync_visit_activity() == 1
    resident_record.refresh_from_db()
    # The cancelled visit of May does not count; the settled one of March does.
    assert resident_record.last_activity_on == datetime.date(2026, 3, 2)
    assert services.in_use(resident_record.last_activity_on, datetime.date(2027, 3, 1))
    assert not services.in_use(resident_record.last_activity_on, datetime.date(2027, 3, 2))
    # A second sweep finds nothing newer.
    assert sync_visit_activity() == 0


def test_an_older_visit_never_moves_activity_back(resident_record):
    HealthRecord.objects.filter(pk=resident_record.pk).update(
        last_activity_on=datetime.date(2026, 6, 1)
    )
    _visit(resident_record.person, datetime.date(2026, 3, 2))
    call_command("sync_record_activity", region=factories.COUNTY)
    resident_record.refresh_from_db()
    assert resident_record.last_activity_on == datetime.date(2026, 6, 1)
