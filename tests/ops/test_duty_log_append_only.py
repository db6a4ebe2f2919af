"""The duty log is append-only: entries cannot be changed or deleted; a correction is a
new entry linked both ways, and the original stays as it was written."""

import pytest
from django.urls import reverse

from huimin.core.appendonly import AppendOnly
from huimin.ops.models import DutyEntry
from tests.ops.duty import admin, write

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_changed_or_deleted():
    entry = write(admin(), text="原文")
    entry.text = "改过的"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        DutyEntry.objects.filter(pk=entry.pk).update(text="改过的")
    with pytest.raises(AppendOnly):
        DutyEntry.objects.filter(pk=entry.pk).delete()
    assert DutyEntry.objects.get(pk=entry.pk).text == "原文"


def test_a_correction_is_a_new_entry_linked_to_the_original(client):
    user = admin()
    original = write(user, kind="incident", text="误报：交换机端口down")
    client.force_login(user)
    form = client.get(reverse("ops:duty_new"), {"corrects": original.pk}).context["form"]
    assert form.initial["text"] == "误报：交换机端口down"  # starts from the original
    response = client.post(
        reverse("ops:duty_new"),
        {
            "shift_date": original.shift_date.isoformat(),
            "shift": "day",
            "kind": "routine",
            "text": "更正：端口为计划内维护，非事件",
            "corrects": original.pk,
        },
    )
    assert response.status_code == 302
    fix = DutyEntry.objects.get(corrects=original)
    assert DutyEntry.objects.get(pk=original.pk).text == "误报：交换机端口down"
    detail = client.get(reverse("ops:duty_detail", args=[original.pk])).content.decode()
    assert f"#{fix.pk}</a> 更正" in detail and "更正此记录" not in detail
    # The corrected incident is no longer open: its correction says it was no incident.
    assert "误报" not in client.get(reverse("ops:duty_new")).content.decode()
