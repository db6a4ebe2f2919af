"""Writing a duty-log entry through the page: it is stored with its author and shift,
shown in the list, and audited in the same transaction."""

import pytest
from django.urls import reverse
from django.utils import timezone

from huimin.audit.models import AuditEvent
from huimin.ops.models import DutyEntry
from tests.ops.duty import admin

pytestmark = pytest.mark.django_db


def test_an_incident_written_on_the_page_is_stored_listed_and_audited(client):
    user = admin()
    client.force_login(user)
    response = client.post(
        reverse("ops:duty_new"),
        {
            "shift_date": timezone.localdate().isoformat(),
            "shift": "night",
            "kind": "incident",
            "severity": "major",
            "text": "02:10 VPN网关CPU持续100%，部分卫生院断线",
        },
    )
    assert response.status_code == 302
    entry = DutyEntry.objects.get()
    assert (entry.author, entry.kind, entry.severity, entry.shift) == (
        user,
        "incident",
        "major",
        "night",
    )
    assert entry.region_code == "430522"
    event = AuditEvent.objects.get(object_type="ops.duty_entry")
    assert (event.action, event.object_id, event.actor_id) == ("create", str(entry.pk), user.pk)
    page = client.get(reverse("ops:duty_list")).content.decode()
    assert "部分卫生院断线" in page and "未处置" in page


def test_the_form_starts_on_the_current_shift(client):
    client.force_login(admin())
    form = client.get(reverse("ops:duty_new")).context["form"]
    assert form.initial["shift"] in {"day", "night"}
    assert form.initial["shift_date"] in {
        timezone.localdate(),
        timezone.localdate() - timezone.timedelta(days=1),
    }
