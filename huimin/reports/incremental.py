"""Incremental refresh: recompute only the stored periods that changes since the last
run can reach.

Every definition reads its window up to the period's last day, so a change dated D
(a form's service date, a settlement's day, a record opened on D…) can move only the
figures of periods ending on or after D. The refresh finds the earliest such date among
the rows changed since `since` and re-runs the rebuild for the stored periods that end
on or after it (the same set-based rebuild, so both give identical rows — a test
compares them on random data). A change whose reach has no date (a person's registry
row, a record's programmes) is taken from the earliest day it could touch.

`record.qualified` reads each record's current quality result, so a quality check since
the last run refreshes that one indicator in every stored period.
"""

import datetime as dt

from django.db.models import Min, Q

from huimin.insurance.enrollment.models import Enrollment
from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.models import Settlement
from huimin.records.models import Form, HealthRecord, Programme
from huimin.registry.models import Person
from huimin.reports import aggregates
from huimin.reports.models import IndicatorFigure
from huimin.reports.periods import Period
from huimin.review.models import Finding, Recovery

QUALITY_ONLY = ("record.qualified",)


def _day(value) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def earliest_change(since: dt.datetime) -> dt.date | None:
    """The earliest business date any row changed since `since` can reach."""
    found: list[dt.date | None] = []

    def low(qs, field):
        found.append(_day(qs.aggregate(v=Min(field))["v"]))

    low(Form.objects.filter(updated_at__gte=since), "service_date")
    touched = HealthRecord.objects.filter(Q(changed_at__gte=since) | Q(created_at__gte=since))
    low(touched, "opened_on")
    low(touched, "closed_on")
    low(Programme.objects.filter(record__in=touched), "registered_on")
    # A registry change (a birth, a death, a move) reaches back to the person's birth.
    low(Person.objects.filter(updated_at__gte=since), "birth_date")
    low(
        Settlement.objects.filter(Q(settled_at__gte=since) | Q(reversed_at__gte=since)),
        "settled_at",
    )
    enrolled = Enrollment.objects.filter(
        Q(created_at__gte=since) | Q(paid_at__gte=since) | Q(cancelled_at__gte=since)
    )
    year = enrolled.aggregate(v=Min("year"))["v"]
    found.append(dt.date(year, 1, 1) if year else None)
    low(JournalEntry.objects.filter(posted_at__gte=since), "posted_at")
    low(Finding.objects.filter(updated_at__gte=since), "service_date")
    low(Recovery.objects.filter(Q(posted_at__gte=since) | Q(cancelled_at__gte=since)), "posted_at")
    days = [d for d in found if d is not None]
    return min(days) if days else None


def stored_periods(region_code: str) -> list[Period]:
    rows = (
        IndicatorFigure.objects.filter(region_code=region_code, institution_id=0)
        .order_by()
        .values_list("period_start", "period_end")
        .distinct()
    )
    return sorted(Period(s, e) for s, e in rows)


def refresh(region_code: str, since: dt.datetime) -> tuple[list[Period], int]:
    """Re-run the rebuild of `region_code` for the stored periods changes since `since`
    can reach; returns those periods and the rows written."""
    periods = stored_periods(region_code)
    written = 0
    earliest = earliest_change(since)
    reached = [p for p in periods if earliest is not None and p.end >= earliest]
    if reached:
        written += aggregates.rebuild(region_code, reached)
    if HealthRecord.objects.filter(quality_checked_at__gte=since).exists():
        others = [p for p in periods if p not in reached]
        if others:
            written += aggregates.rebuild(region_code, others, only=list(QUALITY_ONLY))
    return reached, written
