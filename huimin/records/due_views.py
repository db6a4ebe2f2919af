"""The due list (应随访/应服务名单) and the printable visit plan.

Both read DueService rows through `visible_to(user)`: a village doctor sees their
village, township public-health staff their township (with a village filter). Showing
names is a read of personal data, so each page shown is audited like a registry list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from huimin.policy import jurisdiction_of, reads, requires
from huimin.records import schedule
from huimin.records.models import DueService, FormKind
from huimin.registry.models import Region, RegionLevel

DEFAULT_WITHIN = 30
MAX_WITHIN = 90  # the schedule stores 120 days ahead; a list never looks further
PLAN_LIMIT = 500  # a printed plan is a few pages for one village; more is a list

SERVICES = {
    kind: FormKind(kind).label
    for kind in (
        "htn_followup",
        "dm_followup",
        "smi_followup",
        "health_check",
        "newborn_visit",
        "child_check",
        "immunisation",
        "prenatal_first",
        "prenatal_followup",
        "postpartum_visit",
        "postpartum_42",
        *schedule.TCM_TB_KINDS,
    )
}


@dataclass
class DueFilter:
    service: str = ""
    overdue: bool = False
    within: int = DEFAULT_WITHIN
    village: str = ""
    mine: bool = False

    @classmethod
    def from_query(cls, params) -> DueFilter:
        try:
            within = int(params.get("within", DEFAULT_WITHIN))
        except ValueError:
            within = DEFAULT_WITHIN
        service = params.get("service", "")
        village = params.get("village", "")
        return cls(
            service=service if service in SERVICES else "",
            overdue=params.get("overdue") == "1",
            within=min(max(within, 0), MAX_WITHIN),
            village=village if village.isdigit() and len(village) == 12 else "",
            mine=params.get("mine") == "1",
        )

    def apply(self, qs, user, today: dt.date):
        qs = qs.filter(due_on__lte=today + dt.timedelta(days=self.within))
        if self.overdue:
            qs = qs.filter(overdue_on__lte=today)
        if self.service:
            qs = qs.filter(service=self.service)
        if self.village:
            qs = qs.filter(region_code=self.village)
        if self.mine:
            qs = qs.filter(doctor=user)
        return qs


def due_rows(user, f: DueFilter, today: dt.date):
    """The scoped, filtered rows in urgency order: overdue first (the longest overdue
    first), then by the day they fall due."""
    late = When(overdue_on__lte=today, then=Value(0))
    return (
        f.apply(DueService.objects.visible_to(user), user, today)
        .select_related("person__village")
        .annotate(
            late=Case(late, default=Value(1), output_field=IntegerField()),
            urgency=Case(When(overdue_on__lte=today, then=F("overdue_on")), default=F("due_on")),
        )
        .order_by("late", "urgency", "id")
    )


def _link(name: str, args: list, fallback: str) -> str:
    # The record and form pages belong to the pages work; until they are routed, a path.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def _decorate(rows, today: dt.date) -> None:
    for row in rows:
        row.service_label = SERVICES.get(row.service, "表单")
        row.days_overdue = (today - row.overdue_on).days + 1 if row.overdue_on <= today else 0
        row.record_url = _link("records:record", [row.record_id], f"/records/{row.record_id}/")
        row.form_url = _link(
            "records:form_new",
            [row.record_id, row.service],
            f"/records/{row.record_id}/forms/{row.service}/new/",
        )


def villages_in_jurisdiction(user) -> list[Region]:
    prefix = jurisdiction_of(user)
    if prefix is None or len(prefix) >= 12:
        return []
    return list(
        Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=prefix).order_by("code")[
            :500
        ]
    )


def _audit(request, rows, kind: str) -> None:
    # The due services shown, and the residents they are for.
    reads.audit_listing(
        request.user, model_label="records.due", rows=rows, query_description=kind, request=request
    )


@requires("record.read", "您的角色不能查看健康档案")
@require_GET
def due_list(request):
    today = timezone.localdate()
    f = DueFilter.from_query(request.GET)
    page = Paginator(due_rows(request.user, f, today), settings.HUIMIN_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    _decorate(rows, today)
    _audit(request, rows, "due_list")
    return render(
        request,
        "records/due_list.html",
        {
            "filter": f,
            "page": page,
            "rows": rows,
            "today": today,
            "services": SERVICES,
            "villages": villages_in_jurisdiction(request.user),
            "within_choices": (7, 14, 30, 60, 90),
            "no_jurisdiction": jurisdiction_of(request.user) is None,
        },
    )


@requires("record.read", "您的角色不能查看健康档案")
@require_GET
def visit_plan(request):
    """The same rows grouped by village and day, for printing (入户随访计划)."""
    today = timezone.localdate()
    f = DueFilter.from_query(request.GET)
    rows = list(
        due_rows(request.user, f, today).order_by("region_code", "due_on", "person__name", "id")[
            : PLAN_LIMIT + 1
        ]
    )
    truncated = len(rows) > PLAN_LIMIT
    rows = rows[:PLAN_LIMIT]
    _decorate(rows, today)
    _audit(request, rows, "visit_plan")
    return render(
        request,
        "records/visit_plan.html",
        {
            "filter": f,
            "rows": rows,
            "today": today,
            "truncated": truncated,
            "limit": PLAN_LIMIT,
            "service_label": SERVICES.get(f.service, ""),
        },
    )
