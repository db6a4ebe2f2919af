"""Bad duty-log input is refused with the field and a Chinese reason, and writes nothing:
no entry, no audit event."""

import pytest
from django.urls import reverse
from django.utils import timezone

from huimin.audit.models import AuditEvent
from huimin.core.errors import ValidationFailed
from huimin.ops.models import DutyEntry
from tests.ops.duty import admin, days_ago, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return admin()


def refused(user, field, **extra):
    entries, events = DutyEntry.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as err:
        write(user, **extra)
    assert err.value.fields.get(field)
    assert DutyEntry.objects.count() == entries
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("field", "extra"),
    [
        ("text", {"text": ""}),
        ("text", {"text": "字" * 4001}),
        # Days counted when the test runs, not when it is collected (midnight between).
        ("shift_date", {"shift_date": -1}),
        ("shift_date", {"shift_date": 30}),
        ("shift", {"shift": "evening"}),
        ("kind", {"kind": "rumour"}),
        ("severity", {"kind": "incident", "severity": ""}),
        ("severity", {"kind": "routine", "severity": "major"}),
        ("related_alert_id", {"related_alert_id": 999999}),
        ("related_alert_id", {"related_alert_id": -1}),
        ("corrects", {"corrects_id": 123456}),
        ("resolves", {"kind": "action", "resolves_id": 123456}),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_written(user, field, extra):
    if "shift_date" in extra:
        extra = {**extra, "shift_date": days_ago(extra["shift_date"])}
    refused(user, field, **extra)


def test_resolving_what_is_not_an_open_incident_is_refused(user):
    routine = write(user)
    refused(user, "resolves", kind="action", resolves_id=routine.pk)
    incident = write(user, kind="incident")
    refused(user, "resolves", kind="routine", resolves_id=incident.pk)
    write(user, kind="action", text="已重启网关", resolves_id=incident.pk)
    refused(user, "resolves", kind="action", resolves_id=incident.pk)


def test_correcting_an_entry_twice_is_refused(user):
    original = write(user, text="原文")
    write(user, text="更正一", corrects_id=original.pk)
    refused(user, "corrects", text="更正二", corrects_id=original.pk)


def test_another_countys_entry_cannot_be_corrected_or_resolved(user):
    neighbour = admin("neighbour", jurisdiction="430523")
    theirs = write(neighbour, kind="incident")
    refused(user, "corrects", corrects_id=theirs.pk)
    refused(user, "resolves", kind="action", resolves_id=theirs.pk)


def test_the_page_shows_the_reasons_and_writes_nothing(client, user):
    client.force_login(user)
    response = client.post(
        reverse("ops:duty_new"),
        {
            "shift_date": timezone.localdate().isoformat(),
            "shift": "day",
            "kind": "incident",
            "text": "防火墙告警",
        },
    )
    assert response.status_code == 200
    assert "事件须注明级别" in response.content.decode()
    for data in [
        {"shift_date": "not-a-date", "shift": "day", "kind": "routine", "text": "x"},
        {"shift_date": "2026-01-01", "shift": "day", "kind": "routine", "resolves": "abc"},
        {"shift": "day", "kind": "routine", "text": "x", "related_alert_id": "9" * 30},
    ]:
        assert client.post(reverse("ops:duty_new"), data).status_code == 200
    assert not DutyEntry.objects.exists()
    assert not AuditEvent.objects.filter(object_type="ops.duty_entry").exists()
