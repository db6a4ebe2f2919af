"""Audit pages: the audit search (审计查询) and security alerts (安全告警).

Thin: parse the input, call one query or use case, render. Services raise DomainErrors;
here a refusal becomes 403, a missing object 404 and bad input a message on the page.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huimin.audit.models import (
    AlertSeverity,
    AlertStatus,
    AuditAction,
    AuditOutcome,
    SecurityAlert,
)
from huimin.core import errors
from huimin.oversight import alerts, notices, queries
from huimin.oversight.rules import RULE_HELP
from huimin.policy import has_perm, requires, requires_any

FIELD_LABELS = {
    "note": "处理说明",
    "threshold": "阈值",
    "window_minutes": "时间窗",
    "params": "其他参数",
    "severity": "级别",
    "enabled": "启用",
}


def _labelled(problems: dict) -> dict:
    return {FIELD_LABELS.get(k, k): v for k, v in (problems or {}).items()}


def _refuse(exc: errors.DomainError):
    if isinstance(exc, errors.NotFound):
        raise Http404(exc.message)
    raise PermissionDenied(exc.message)


def _partial(request, target: str = "results") -> bool:
    return request.headers.get("HX-Target") == target and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _render(request, page: str, part: str, context: dict):
    response = render(request, part if _partial(request) else page, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


# ---------------------------------------------------------------- audit search


@requires_any(queries.READ_PERM, queries.OVERSIGHT_PERM, message="无权查阅审计记录")
@require_GET
def event_list(request):
    f, problems = queries.parse_filter(request.GET)
    after = request.GET.get("after", "")
    if after and queries.decode_cursor(after) is None:
        problems["after"] = "翻页标记无效，已从第一页显示"
        after = ""
    page = queries.search(
        request.user, f, after=after, size=settings.HUIMIN_PAGE_SIZE, request=request
    )
    oversight_only = not has_perm(request.user, queries.READ_PERM)
    return _render(
        request,
        "audit/event_list.html",
        "audit/_event_results.html",
        {
            "filter": f,
            "values": request.GET,
            "problems": {queries.FILTER_LABELS.get(k, k): v for k, v in problems.items()},
            "page": page,
            "actions": AuditAction.choices,
            "outcomes": AuditOutcome.choices,
            "oversight_only": oversight_only,
        },
    )


@requires_any(queries.READ_PERM, queries.OVERSIGHT_PERM, message="无权查阅审计记录")
@require_GET
def event_detail(request, pk: int):
    try:
        event = queries.get_event(request.user, pk, request=request)
    except errors.DomainError as exc:
        _refuse(exc)
    return render(request, "audit/event_detail.html", {"event": event})


# ---------------------------------------------------------------- alerts


@requires(alerts.MANAGE, "无权处理安全告警")
@require_GET
def alert_list(request):
    try:
        qs = alerts.visible_alerts(request.user)
    except errors.DomainError as exc:
        _refuse(exc)
    status = request.GET.get("status", "")
    severity = request.GET.get("severity", "")
    problems = {}
    if status == "open":
        qs = qs.filter(status__in=[AlertStatus.NEW, AlertStatus.ACKNOWLEDGED])
    elif status in AlertStatus.values:
        qs = qs.filter(status=status)
    elif status:
        problems["状态"] = "状态不在允许范围内"
    if severity in AlertSeverity.values:
        qs = qs.filter(severity=severity)
    elif severity:
        problems["级别"] = "级别不在允许范围内"
    after = request.GET.get("after", "")
    if after:
        try:
            after_id = int(after)
            if not 0 < after_id <= alerts.MAX_ID:
                raise ValueError(after)
            last = SecurityAlert.objects.only("created_at").get(pk=after_id)
            qs = qs.filter(
                Q(created_at__lt=last.created_at) | Q(created_at=last.created_at, pk__lt=last.pk)
            )
        except (ValueError, SecurityAlert.DoesNotExist):
            problems["翻页"] = "翻页标记无效，已从第一页显示"
    size = settings.HUIMIN_PAGE_SIZE
    rows = list(qs.order_by("-created_at", "-id")[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    return _render(
        request,
        "audit/alert_list.html",
        "audit/_alert_results.html",
        {
            "rows": rows,
            "next_cursor": rows[-1].pk if more and rows else None,
            "status": status,
            "severity": severity,
            "statuses": [("open", "未关闭"), *AlertStatus.choices],
            "severities": AlertSeverity.choices,
            "problems": problems,
        },
    )


def _alert_page(request, pk: int, problems=None, status=200):
    try:
        alert = alerts.get_alert(request.user, pk)
    except errors.DomainError as exc:
        _refuse(exc)
    return render(
        request,
        "audit/alert_detail.html",
        {"alert": alert, "problems": _labelled(problems), "note": request.POST.get("note", "")},
        status=status,
    )


@requires(alerts.MANAGE, "无权处理安全告警")
@require_GET
def alert_detail(request, pk: int):
    return _alert_page(request, pk)


def _handle(request, pk: int, action):
    try:
        alert = action(request.user, pk, request.POST.get("note", ""), request=request)
    except errors.ValidationFailed as exc:
        return _alert_page(request, pk, exc.fields, status=422)
    except errors.Conflict as exc:
        messages.error(request, exc.message)
        return redirect("audit:alert_detail", pk=pk)
    except errors.DomainError as exc:
        _refuse(exc)
    messages.success(request, f"告警 #{alert.pk} 已{alert.get_status_display().removeprefix('已')}")
    return redirect("audit:alert_detail", pk=pk)


@requires(alerts.MANAGE, "无权处理安全告警")
@require_POST
def alert_acknowledge(request, pk: int):
    return _handle(request, pk, alerts.do_acknowledge)


@requires(alerts.MANAGE, "无权处理安全告警")
@require_POST
def alert_close(request, pk: int):
    return _handle(request, pk, alerts.do_close)


# ---------------------------------------------------------------- rule configuration


def _int_or_raw(raw: str):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return raw


@requires(alerts.MANAGE, "无权处理安全告警")
@require_http_methods(["GET", "POST"])
def rule_list(request):
    problems, failed_code, status = {}, "", 200
    if request.method == "POST":
        code = request.POST.get("code", "")
        params_raw = request.POST.get("params", "").strip() or "{}"
        try:
            params = json.loads(params_raw)
        except ValueError:
            params = None
        try:
            if params is None:
                raise errors.ValidationFailed({"params": "其他参数应为JSON对象"})
            alerts.do_update_rule(
                request.user,
                code,
                severity=request.POST.get("severity", ""),
                enabled=request.POST.get("enabled") == "on",
                threshold=_int_or_raw(request.POST.get("threshold", "")),
                window_minutes=_int_or_raw(request.POST.get("window_minutes", "")),
                params=params,
                request=request,
            )
        except errors.ValidationFailed as exc:
            problems, failed_code, status = _labelled(exc.fields), code, 422
        except errors.DomainError as exc:
            _refuse(exc)
        else:
            messages.success(request, "告警规则已保存，下次检查即按新配置执行")
            return redirect("audit:rule_list")
    rules = sorted(alerts.ensure_rules().values(), key=lambda r: r.code)
    for rule in rules:
        rule.help = RULE_HELP.get(rule.code, "")
        rule.params_json = _json(rule.params)
    return render(
        request,
        "audit/rule_list.html",
        {
            "rules": rules,
            "severities": AlertSeverity.choices,
            "problems": problems,
            "failed_code": failed_code,
            "posted": request.POST if failed_code else {},
        },
        status=status,
    )


def _json(value) -> str:
    return json.dumps(value or {}, ensure_ascii=False, sort_keys=True)


# ---------------------------------------------------------------- business notices


@requires_any(*sorted(notices.AUDIENCES))
@require_GET
def business_alert_list(request):
    """Business notices (notices.py) for the audiences the user belongs to, in their
    jurisdiction: the people who act on an overdue mediation step or a changed risk
    colour, who are not the security administrator."""
    try:
        qs = notices.visible_notices(request.user).select_related("handled_by")
    except errors.DomainError as exc:
        _refuse(exc)
    status = request.GET.get("status", "open")
    problems = {}
    if status == "open":
        qs = qs.filter(status__in=[AlertStatus.NEW, AlertStatus.ACKNOWLEDGED])
    elif status in AlertStatus.values:
        qs = qs.filter(status=status)
    elif status:
        problems["状态"] = "状态不在允许范围内"
    size = settings.HUIMIN_PAGE_SIZE
    rows = list(qs.order_by("-created_at", "-id")[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    for row in rows:
        url = (row.details or {}).get("url", "")
        row.link = url if isinstance(url, str) and url.startswith("/") else ""
    return render(
        request,
        "audit/business_alert_list.html",
        {
            "rows": rows,
            "more": more,
            "status": status,
            "statuses": [("open", "未关闭"), *AlertStatus.choices],
            "problems": problems,
        },
    )


@requires_any(*sorted(notices.AUDIENCES))
@require_POST
def business_alert_acknowledge(request, pk: int):
    """The notice's audience acknowledges it, with a note (audited)."""
    try:
        alert = notices.do_acknowledge_notice(
            request.user, pk, request.POST.get("note", ""), request=request
        )
    except errors.ValidationFailed as exc:
        messages.error(request, "；".join(exc.fields.values()) or exc.message)
    except errors.Conflict as exc:
        messages.error(request, exc.message)
    except errors.DomainError as exc:
        _refuse(exc)
    else:
        messages.success(request, f"提醒 #{alert.pk} 已确认")
    return redirect("audit:business_alert_list")
