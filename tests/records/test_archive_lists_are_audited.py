"""The archive pages list records by number and masked name: appraisal, the pending
destructions on the archive home and the destruction register each write one audit
event naming the rows and whose records they are."""

import datetime

from huimin.audit.models import AuditEvent
from huimin.records import archive, services
from tests import factories
from tests.audit.shown import people_named, rows_named


def test_appraisal_home_and_register_name_the_residents(
    client, county, village_doctor, public_health_officer
):
    person = factories.make_person("欧阳修", birth=datetime.date(1930, 1, 1))
    record = services.do_open_record(village_doctor, person.pk, opened_on=datetime.date(2008, 1, 2))
    archive.do_close_record(public_health_officer, record.pk, "other", datetime.date(2010, 6, 1))
    client.force_login(public_health_officer)

    assert client.get("/records/archive/appraisal/").status_code == 200
    appraisal = AuditEvent.objects.get(action="search", object_type="records.record")
    assert rows_named(appraisal) == {record.pk} and people_named(appraisal) == {person.pk}

    client.post(f"/records/archive/records/{record.pk}/destruction/", {"basis": "保管期满"})
    entry = record.destructions.get()
    for url in ("/records/archive/", "/records/archive/destructions/"):
        assert client.get(url).status_code == 200, url
    listed = AuditEvent.objects.filter(action="search", object_type="records.destruction")
    assert [rows_named(e) for e in listed] == [{entry.pk}, {entry.pk}]
    assert all(people_named(e) == {person.pk} for e in listed)
