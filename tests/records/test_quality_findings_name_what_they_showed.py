"""The quality findings list of a village names the findings it showed and whose records
they are (it used to be one event with an empty object id)."""

import datetime as dt

from huimin.audit.models import AuditEvent
from huimin.records import quality, services
from huimin.records.models import Finding
from tests import factories
from tests.audit.shown import people_named, rows_named


def test_the_findings_page_names_findings_and_residents(
    client, village_doctor, public_health_officer
):
    people = [factories.make_person(f"居民{i}", birth=dt.date(1950 + i, 1, 1)) for i in range(3)]
    for p in people:
        services.do_open_record(village_doctor, p.pk)
    quality.run(everything=True)
    client.force_login(public_health_officer)
    page = client.get(f"/records/quality/{factories.VILLAGES[0]}/")
    assert page.status_code == 200
    shown = {f.pk for f in page.context["page"].rows}
    assert shown and shown == set(Finding.objects.values_list("pk", flat=True))
    event = AuditEvent.objects.get(action="search", object_type="records.finding")
    assert event.object_id != "" and rows_named(event) == shown
    assert people_named(event) == {p.pk for p in people}
    assert event.region_code == factories.VILLAGES[0]
