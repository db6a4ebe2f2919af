"""Duty-log pages: thin views over services; every read starts from services.entries_for."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from huimin.core import errors
from huimin.core.text import ascii_digits
from huimin.ops import services
from huimin.ops.forms import DutyEntryForm, DutyFilter, current_shift
from huimin.ops.models import DutyEntry, DutyKind
from huimin.policy import requires

RESULTS_TARGET = "results"


@dataclass
class Page:
    rows: list
    next_cursor: int | None
    prev_cursor: int | None


def _writer(request):
    try:
        services.check_can_write(request.user)
    except errors.PermissionDenied:
        raise PermissionDenied from None
    return request.user


def _cursor(value: str) -> int | None:
    return int(value) if ascii_digits(value) and len(value) < 19 else None


def newest_first(qs, after: str, before: str, size: int) -> Page:
    """Keyset paging by id, newest first: deep pages cost the same as the first."""
    after_id, before_id = _cursor(after), _cursor(before)
    if before_id is not None:
        rows = list(qs.filter(id__gt=before_id).order_by("id")[: size + 1])
        has_prev, rows = len(rows) > size, rows[:size][::-1]
        has_next = True
    else:
        if after_id is not None:
            qs = qs.filter(id__lt=after_id)
        rows = list(qs.order_by("-id")[: size + 1])
        has_next, rows = len(rows) > size, rows[:size]
        has_prev = after_id is not None
    return Page(
        rows=rows,
        next_cursor=rows[-1].pk if rows and has_next else None,
        prev_cursor=rows[0].pk if rows and has_prev else None,
    )


def _with_relations(qs):
    handed_over = DutyEntry.objects.order_by("id")
    return (
        qs.select_related("author", "correction")
        .prefetch_related(Prefetch("handed_over", queryset=handed_over))
        .annotate(resolved=Exists(DutyEntry.objects.filter(resolves=OuterRef("pk"))))
    )


@requires("duty.write", "无权查看或填写值班日志")
@require_GET
def duty_list(request):
    user = _writer(request)
    visible = services.entries_for(user)
    authors = list(
        visible.order_by("author__username").values_list("author_id", "author__username").distinct()
    )
    form = DutyFilter(request.GET, authors=authors)
    page = newest_first(
        _with_relations(form.apply(visible)),
        request.GET.get("after", ""),
        request.GET.get("before", ""),
        settings.HUIMIN_PAGE_SIZE,
    )
    context = {"form": form, "page": page}
    partial = request.headers.get("HX-Target") == RESULTS_TARGET and not request.headers.get(
        "HX-History-Restore-Request"
    )
    response = render(
        request, "ops/_duty_list_results.html" if partial else "ops/duty_list.html", context
    )
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@requires("duty.write", "无权查看或填写值班日志")
@require_http_methods(["GET", "POST"])
def duty_new(request):
    user = _writer(request)
    incidents = list(services.open_incidents(user))
    corrected = None
    if request.method == "POST":
        form = DutyEntryForm(request.POST, open_incidents=incidents)
        if form.is_valid():
            try:
                entry = services.do_create_duty_entry(user, form.entry_input(), request=request)
            except errors.DomainError as exc:
                for name, reason in exc.fields.items():
                    form.add_error(name if name in form.fields else None, reason)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, f"已记录值班日志 #{entry.pk}")
                return redirect("ops:duty_list")
        corrects = _cursor(str(form.data.get("corrects", "")))
    else:
        shift_date, shift = current_shift()
        initial = {"shift_date": shift_date, "shift": shift, "kind": DutyKind.ROUTINE}
        corrects = _cursor(request.GET.get("corrects", ""))
        resolves = _cursor(request.GET.get("resolves", ""))
        if corrects:
            initial["corrects"] = corrects
        if resolves:
            initial.update(kind=DutyKind.ACTION, resolves=resolves)
        form = DutyEntryForm(initial=initial, open_incidents=incidents)
    if corrects:
        corrected = services.entries_for(user).select_related("author").filter(pk=corrects).first()
        if corrected is not None and request.method == "GET":
            form.initial.update(
                shift_date=corrected.shift_date,
                shift=corrected.shift,
                kind=corrected.kind,
                severity=corrected.severity,
                related_alert_id=corrected.related_alert_id,
                text=corrected.text,
            )
    return render(
        request,
        "ops/duty_form.html",
        {"form": form, "open_incidents": incidents, "corrected": corrected},
    )


@requires("duty.write", "无权查看或填写值班日志")
@require_GET
def duty_detail(request, pk: int):
    user = _writer(request)
    try:
        entry = services.get_entry(user, pk)
    except errors.NotFound:
        raise Http404 from None
    resolutions = list(entry.resolutions.select_related("author").order_by("id"))
    return render(
        request,
        "ops/duty_detail.html",
        {
            "entry": entry,
            "resolutions": resolutions,
            "handed_over": entry.handed_over.order_by("id"),
            "handovers": entry.handovers.select_related("author").order_by("id"),
        },
    )
