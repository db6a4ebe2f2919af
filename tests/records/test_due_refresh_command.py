"""`refresh_due` rebuilds the due rows of every record, or of one region, in batches."""

from django.core.management import call_command

from huimin.records.models import DueService
from tests import factories


def test_refresh_due_rebuilds_rows_for_a_region(hypertensive, other_village_doctor):
    DueService.objects.all().delete()
    call_command("refresh_due", region=factories.VILLAGES[2], batch=1)
    assert not DueService.objects.exists()  # the patient lives in another village
    call_command("refresh_due", region=factories.COUNTY, batch=1)
    assert set(DueService.objects.values_list("service", flat=True)) == {
        "htn_followup",
        "health_check",
        "tcm_elderly",  # the patient is over 65
    }
    before = set(DueService.objects.values_list("pk", flat=True))
    call_command("refresh_due")
    assert set(DueService.objects.values_list("pk", flat=True)) == before
