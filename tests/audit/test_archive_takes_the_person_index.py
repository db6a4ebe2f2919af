"""Archiving moves events out of the database: their person index goes with them, and
the index of events still in the database stays."""

import datetime

import pytest
from django.utils import timezone

from huimin.audit import services
from huimin.audit.models import AuditEventPerson
from huimin.audit.services import record
from huimin.oversight.queries import reads_of_person


@pytest.fixture(autouse=True)
def archive_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HUIMIN_AUDIT_ARCHIVE_DIR", str(tmp_path))
    monkeypatch.delenv("HUIMIN_AUDIT_RETENTION_DAYS", raising=False)


@pytest.mark.django_db
def test_archived_events_take_their_person_rows(officer):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            timezone,
            "now",
            lambda: timezone.datetime.now(datetime.UTC) - datetime.timedelta(days=200),
        )
        record(action="read", actor=officer, object_type="records.record", person_ids=[5, 6])
    kept = record(action="search", actor=officer, object_type="registry.person", person_ids=[6])
    services.do_archive(timezone.localdate() - datetime.timedelta(days=190))
    assert list(AuditEventPerson.objects.values_list("event_id", "person_id")) == [(kept.pk, 6)]
    assert reads_of_person(5) == [] and len(reads_of_person(6)) == 1
