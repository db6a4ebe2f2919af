"""The application never changes or removes an audit event (the database trigger is
tested on PostgreSQL in test_postgres_append_only.py)."""

import pytest

from huimin.audit.models import AuditEvent
from huimin.audit.services import record
from huimin.core.appendonly import AppendOnly


@pytest.mark.django_db
def test_saving_an_existing_event_is_refused(officer):
    event = record(action="read", actor=officer, object_id="1")
    event.object_id = "2"
    with pytest.raises(AppendOnly):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).object_id == "1"


@pytest.mark.django_db
def test_deleting_an_event_is_refused(officer):
    event = record(action="read", actor=officer)
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_bulk_update_is_refused(officer):
    event = record(action="read", actor=officer, purpose="门诊")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="无")
    assert AuditEvent.objects.get(pk=event.pk).purpose == "门诊"
