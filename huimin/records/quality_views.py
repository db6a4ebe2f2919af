"""Data-quality pages: 合格 rates per township and village, a village's findings, and the
two actions on a finding (已核实无误, 重新检查). Thin: counts are two grouped queries,
the findings list one; actions call quality.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from huimin.core.errors import DomainError
from huimin.core.names import mask_name
from huimin.policy import jurisdiction_of, reads, requires
from huimin.records import quality
from huimin.records.forms import SPECS
from huimin.records.models import (
    Finding,
    FindingStatus,
    HealthRecord,
    RecordStatus,
    Severity,
)
from huimin.records.quality_rules import RULE_LABELS, rule_label
from huimin.registry.models import Region
from huimin.registry.views import keyset_page

may_fix = requires("record.quality", "您无权查看档案质量")


def _scope(request) -> str:
    """The region asked for (?region=), inside the user's jurisdiction."""
    mine = jurisdiction_of(request.user)
    if mine is None:
        raise PermissionDenied("您没有辖区")
    asked = (request.GET.get("region") or "").strip()
    if asked and asked.isdigit() and asked.startswith(mine):
        return asked
    return mine


def _link(name: str, *args, fallback: str) -> str:
    # The record and form pages belong to the pages work; until they exist, plain paths.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def _rate(ok: int, total: int) -> str:
    return f"{ok / total:.1%}" if total else "—"


@may_fix
@require_GET
def summary(request):
    """Per township (or per village under a township): records, 合格 and open findings."""
    scope = _scope(request)
    unit_length = 9 if len(scope) < 9 else 12
    records = (
        HealthRecord.objects.visible_to(request.user)
        .within(scope)
        .filter(status=RecordStatus.ACTIVE)
        .annotate(unit=Substr("region_code", 1, unit_length))
        .values("unit")
        .annotate(
            total=Count("id"),
            ok=Count("id", filter=Q(qualified=True)),
            checked=Count("id", filter=Q(quality_checked_at__isnull=False)),
        )
        .order_by("unit")
    )
    open_findings = (
        Finding.objects.visible_to(request.user)
        .within(scope)
        .filter(status=FindingStatus.OPEN)
        .annotate(unit=Substr("region_code", 1, unit_length))
        .values("unit", "severity")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows: dict[str, dict] = {}
    for r in records:
        rows[r["unit"]] = {**r, "blocking": 0, "warning": 0, "review": 0}
    for f in open_findings:
        row = rows.setdefault(
            f["unit"],
            {
                "unit": f["unit"],
                "total": 0,
                "ok": 0,
                "checked": 0,
                "blocking": 0,
                "warning": 0,
                "review": 0,
            },
        )
        row[f["severity"]] = f["n"]
    names = dict(Region.objects.filter(code__in=[scope, *rows]).values_list("code", "name"))
    table = []
    for unit in sorted(rows):
        row = rows[unit]
        row["name"] = names.get(unit, unit)
        row["rate_text"] = _rate(row["ok"], row["total"])
        row["drill"] = unit_length == 12
        table.append(row)
    totals = {
        k: sum(r[k] for r in table)
        for k in ("total", "ok", "checked", "blocking", "warning", "review")
    }
    totals["rate_text"] = _rate(totals["ok"], totals["total"])
    return render(
        request,
        "records/quality_summary.html",
        {
            "scope": scope,
            "scope_name": names.get(scope, scope),
            "unit_label": "村（居）" if unit_length == 12 else "乡镇（街道）",
            "rows": table,
            "totals": totals,
        },
    )


def field_label(field: str, form_kind: str) -> str:
    """What a finding's field is called on paper: a form's title or a field's label."""
    if field in SPECS:
        return SPECS[field].title
    spec = SPECS.get(form_kind)
    if spec is not None:
        name = field.split(".")[0]
        for f in spec.fields:
            if f.name == name:
                return f.label
    return field


@may_fix
@require_GET
def findings(request, village: str):
    """A village's findings to fix, the longest waiting first, with filters."""
    mine = jurisdiction_of(request.user)
    if mine is None or not village.startswith(mine) or len(village) != 12:
        raise Http404("不在您的辖区内")
    status = request.GET.get("status") or FindingStatus.OPEN
    if status not in FindingStatus.values:
        status = FindingStatus.OPEN
    rows = (
        Finding.objects.visible_to(request.user)
        .filter(region_code=village, status=status)
        .select_related("record__person", "assignee", "form")
        .only(
            "id",
            "record_id",
            "form_id",
            "form__kind",
            "rule",
            "severity",
            "field",
            "message",
            "status",
            "detected_at",
            "note",
            "assignee__first_name",
            "assignee__username",
            "record__number",
            "record__person__name",
        )
    )
    rule = request.GET.get("rule", "")
    if rule:
        rows = rows.filter(Q(rule=rule) | Q(rule__startswith=rule + "."))
    severity = request.GET.get("severity", "")
    if severity in Severity.values:
        rows = rows.filter(severity=severity)
    if request.GET.get("mine"):
        rows = rows.filter(assignee=request.user)
    page = keyset_page(
        rows.order_by(),
        ("id",),
        request.GET.get("after", ""),
        request.GET.get("before", ""),
        50,
    )
    now = timezone.now()
    for f in page.rows:
        f.person_masked = mask_name(f.record.person.name, keep_last=True)
        f.rule_label = rule_label(f.rule)
        f.field_label = field_label(f.field, f.form.kind if f.form_id else "")
        f.age_days = (now - f.detected_at).days
        f.record_url = _link("records:record", f.record_id, fallback=f"/records/{f.record_id}/")
        f.form_url = (
            _link("records:form", f.form_id, fallback=f"/records/forms/{f.form_id}/")
            if f.form_id
            else ""
        )
        f.can_confirm = f.status == FindingStatus.OPEN and f.severity != Severity.BLOCKING
    reads.audit_listing(
        request.user,
        model_label="records.finding",
        rows=page.rows,
        person_ids=[f.record.person.pk for f in page.rows],  # person_id is deferred
        region_code=village,
        query_description=f"档案质量问题清单 {rule or ''} {severity or ''}".strip(),
        request=request,
    )
    region = Region.objects.filter(code=village).select_related("parent").first()
    return render(
        request,
        "records/quality_findings.html",
        {
            "village": village,
            "region": region,
            "page": page,
            "rules": sorted(RULE_LABELS.items()),
            "severities": Severity.choices,
            "statuses": FindingStatus.choices,
            "filters": {
                "rule": rule,
                "severity": severity,
                "mine": bool(request.GET.get("mine")),
                "status": status,
            },
        },
    )


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@may_fix
@require_POST
def confirm(request, finding_id: int):
    try:
        finding = quality.do_confirm_finding(request.user, finding_id, request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, reverse("records:quality"))
    messages.success(request, f"已核实无误：{rule_label(finding.rule)}")
    return _back(request, reverse("records:quality_findings", args=[finding.region_code]))


@may_fix
@require_POST
def recheck(request, record_id: int):
    try:
        result = quality.do_recheck_record(request.user, record_id)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(request, reverse("records:quality"))
    still = Finding.objects.filter(
        record_id=record_id, status=FindingStatus.OPEN, severity=Severity.BLOCKING
    ).exists()
    messages.success(
        request,
        f"重新检查完成：已纠正{result.resolved}条，新发现{result.created}条；"
        + ("仍有阻断问题，档案不合格" if still else "档案合格"),
    )
    return _back(request, reverse("records:quality"))
