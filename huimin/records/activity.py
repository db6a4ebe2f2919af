"""动态使用: keep each record's last activity in step with insured visits.

Settlement (the insurance app, below records) cannot write health records, so visits
reach `HealthRecord.last_activity_on` by this sweep, run nightly and after generation;
forms update it as they are signed (services._touched)."""

from __future__ import annotations

from django.db.models import DateField, F, Max, OuterRef, Q, Subquery

from huimin.insurance.models import Visit, VisitStatus
from huimin.policy.scope import prefix_condition
from huimin.records.models import HealthRecord, RecordStatus


def sync_visit_activity(region_prefix: str = "") -> int:
    """Raise last_activity_on to the newest settled visit; returns the rows changed."""
    newest_visit = Subquery(
        Visit.objects.filter(person_id=OuterRef("person_id"), status=VisitStatus.SETTLED)
        .order_by()
        .values("person_id")
        .annotate(last=Max("visit_date"))
        .values("last"),
        output_field=DateField(),
    )
    rows = HealthRecord.objects.filter(status=RecordStatus.ACTIVE)
    if region_prefix:
        rows = rows.filter(prefix_condition("region_code", region_prefix))
    stale = rows.annotate(visit_day=newest_visit).filter(
        Q(visit_day__isnull=False)
        & (Q(last_activity_on__isnull=True) | Q(visit_day__gt=F("last_activity_on")))
    )
    return HealthRecord.objects.filter(pk__in=stale.values("pk")).update(
        last_activity_on=newest_visit
    )
