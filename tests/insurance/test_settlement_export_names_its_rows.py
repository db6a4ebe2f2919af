"""The settlement CSV export is one audit event naming every settlement in the file and
every resident they belong to; the file holds exactly the rows the event names."""

import csv
import io

from django.urls import reverse

from huimin.audit.models import AuditEvent
from tests import factories
from tests.audit.shown import people_named, rows_named
from tests.insurance.conftest import enroll_and_pay
from tests.insurance.officer_support import settle_outpatient

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def test_the_export_names_every_row_and_resident(client, insured):
    second = factories.make_person("第二人", village=factories.VILLAGES[1])
    enroll_and_pay(insured.officer, second, factories.make_household(second))
    settled = [settle_outpatient(insured, f"MZ-E{i}") for i in range(3)]
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:settlement_export"), MARCH)
    assert r.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    in_file = {int(row[0]) for row in lines[1:]}
    assert in_file == {s.pk for s in settled}
    event = AuditEvent.objects.get(action="export", object_type="insurance.settlement")
    assert rows_named(event) == in_file
    assert people_named(event) == {insured.person.pk}
    assert event.changes["count"] == 3 and "共3行" in event.purpose


def test_an_empty_export_is_recorded_naming_no_one(client, insured):
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:settlement_export"), MARCH)
    assert len(b"".join(r.streaming_content).decode("utf-8-sig").splitlines()) == 1
    event = AuditEvent.objects.get(action="export")
    assert event.changes["count"] == 0 and people_named(event) == set()
