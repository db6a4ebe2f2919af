"""The officer's plan pages: list, upload, detail, activate, reject."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huimin.core.errors import DomainError
from huimin.insurance import forms, plan_actions, plans
from huimin.insurance.models import (
    BenefitPlan,
    PlanStatus,
)
from huimin.insurance.plan import PlanError
from huimin.insurance.views.officer import error_of, form_error
from huimin.policy import requires

# ---------------------------------------------------------------- plans


@requires("plan.manage")
@require_GET
def plan_list(request):
    form = forms.PlanFilterForm(request.GET or None)
    qs = BenefitPlan.objects.visible_to(request.user).select_related("uploaded_by", "activated_by")
    if form.is_valid():
        if form.cleaned_data.get("year"):
            qs = qs.filter(year=form.cleaned_data["year"])
        if form.cleaned_data.get("status"):
            qs = qs.filter(status=form.cleaned_data["status"])
    # A region has a handful of plans a year; 200 rows is years of history.
    plans_shown = list(qs.order_by("region_code", "-year", "-id")[:200])
    return render(
        request,
        "insurance/officer/plan_list.html",
        {
            "form": form,
            "plans": plans_shown,
            "error": None if form.is_valid() or not request.GET else form_error(form),
        },
    )


@requires("plan.manage")
@require_http_methods(["GET", "POST"])
def plan_upload(request):
    if request.method == "GET":
        return render(
            request, "insurance/officer/plan_upload.html", {"form": forms.PlanUploadForm()}
        )
    form = forms.PlanUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request,
            "insurance/officer/plan_upload.html",
            {"form": form, "error": form_error(form)},
            status=422,
        )
    document = form.cleaned_data["document"]
    try:
        row = plans.do_upload_plan(
            request.user, document, form.cleaned_data.get("note") or "", request=request
        )
    except DomainError as exc:
        return render(
            request,
            "insurance/officer/plan_upload.html",
            {"form": form, "error": error_of(exc), "problems": plan_problems(exc)},
            status=exc.status,
        )
    messages.success(request, f"方案“{row.name}”已上传，待另一位经办人员复核启用。")
    return redirect("insurance:plan_detail", pk=row.pk)


def plan_problems(exc: DomainError) -> list[tuple[str, str]]:
    """Each problem of a refused document with the path of the field it concerns."""
    return [
        (key.removeprefix("document.") or "document", reason)
        for key, reason in exc.fields.items()
        if key.startswith("document")
    ]


def render_plan(request, row, *, error=None, status=200, reject_form=None):
    previous = plan_actions.previous_plan(row)
    comparison, parse_error = [], ""
    try:
        comparison = plans.compare(plans.parsed(row), plans.parsed(previous) if previous else None)
    except PlanError as exc:  # a stored document the current rules no longer accept
        parse_error = str(exc)
    is_uploader = row.uploaded_by_id == request.user.pk
    return render(
        request,
        "insurance/officer/plan_detail.html",
        {
            "plan": row,
            "previous": previous,
            "comparison": comparison,
            "changed_count": sum(1 for r in comparison if r["changed"]),
            "parse_error": parse_error,
            "is_draft": row.status == PlanStatus.DRAFT,
            "is_uploader": is_uploader,
            "reject_form": reject_form or forms.RejectForm(),
            "error": error,
        },
        status=status,
    )


def _plan_or_404(request, pk):
    try:
        return plan_actions.get_plan(request.user, pk)
    except DomainError:
        raise Http404("结算方案不存在或无权查看") from None


@requires("plan.manage")
@require_GET
def plan_detail(request, pk):
    row = _plan_or_404(request, pk)
    row = BenefitPlan.objects.select_related("uploaded_by", "activated_by").get(pk=row.pk)
    return render_plan(request, row)


@requires("plan.manage")
@require_POST
def plan_activate(request, pk):
    row = _plan_or_404(request, pk)
    try:
        plans.do_activate_plan(request.user, row.pk, request=request)
    except DomainError as exc:
        row.refresh_from_db()
        return render_plan(request, row, error=error_of(exc), status=exc.status)
    messages.success(request, "方案已启用；同统筹区同年度原生效方案已替换。")
    return redirect("insurance:plan_detail", pk=row.pk)


@requires("plan.manage")
@require_POST
def plan_reject(request, pk):
    row = _plan_or_404(request, pk)
    form = forms.RejectForm(request.POST)
    try:
        plan_actions.do_reject_plan(
            request.user, row.pk, request.POST.get("reason", ""), request=request
        )
    except DomainError as exc:
        row.refresh_from_db()
        return render_plan(request, row, error=error_of(exc), status=exc.status, reject_form=form)
    messages.success(request, "方案已退回。")
    return redirect("insurance:plan_detail", pk=row.pk)
