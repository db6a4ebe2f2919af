"""The officer's reconciliation and monthly clearing pages."""

from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from huimin.core.errors import DomainError
from huimin.insurance import forms, queries
from huimin.insurance.models import (
    ClearingBatch,
    ClearingStatus,
    Reconciliation,
    ReconciliationKind,
    Settlement,
)
from huimin.insurance.services import clearing
from huimin.insurance.views.officer import (
    audit_rows,
    error_of,
    form_error,
    page_size,
    query_without,
    with_labels,
)
from huimin.policy import has_perm, requires

# ---------------------------------------------------------------- reconciliation


@requires("clearing.manage")
@require_GET
def reconciliation_list(request):
    form = forms.ReconciliationFilterForm(request.GET or None, user=request.user)
    qs = Reconciliation.objects.visible_to(request.user).select_related("institution")
    error = None
    if form.is_bound and not form.is_valid():
        error, qs = form_error(form), qs.none()
    elif form.is_bound:
        data = form.cleaned_data
        if data.get("institution"):
            qs = qs.filter(institution=data["institution"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("matched"):
            qs = qs.filter(matched=data["matched"] == "yes")
        if data.get("date_from"):
            qs = qs.filter(day__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(day__lte=data["date_to"])
    page = queries.newest_first(qs, "day", "date", request.GET.get("after", ""), page_size())
    for run in page.rows:
        run.difference_count = difference_count(run)
    return render(
        request,
        "insurance/officer/reconciliation_list.html",
        {
            "form": form,
            "page": page,
            "runs": page.rows,
            "error": error,
            "query": query_without(request, "after"),
        },
    )


def difference_count(run: Reconciliation) -> int:
    r = run.result or {}
    if run.kind == ReconciliationKind.TOTALS:
        return len(r.get("differences") or {})
    return sum(
        len(r.get(k) or [])
        for k in ("missing_at_centre", "missing_at_institution", "amount_differs")
    )


TOTAL_LABELS = {
    "count": "结算笔数",
    "total": "医疗费总额",
    "fund_paid": "基金支付",
    "patient_pay": "个人现金支付",
}


@requires("clearing.manage")
@require_GET
def reconciliation_detail(request, pk):
    run = (
        Reconciliation.objects.visible_to(request.user)
        .select_related("institution")
        .filter(pk=pk)
        .first()
    )
    if run is None:
        raise Http404("对账记录不存在或无权查看")
    context = {"run": run, "difference_count": difference_count(run)}
    r = run.result or {}
    if run.kind == ReconciliationKind.TOTALS:
        centre, submitted, diffs = (
            r.get("centre") or {},
            run.submitted or {},
            r.get("differences") or {},
        )
        context["total_rows"] = [
            {
                "label": label,
                "institution": submitted.get(key, ""),
                "centre": centre.get(key, ""),
                "difference": (diffs.get(key) or {}).get("difference", ""),
                "differs": key in diffs,
            }
            for key, label in TOTAL_LABELS.items()
        ]
    else:
        context.update(
            missing_at_centre=r.get("missing_at_centre") or [],
            missing_at_institution=r.get("missing_at_institution") or [],
            amount_differs=r.get("amount_differs") or [],
            matched_count=r.get("matched_count", 0),
            submitted_count=len(run.submitted or []),
        )
    return render(request, "insurance/officer/reconciliation_detail.html", context)


# ---------------------------------------------------------------- clearing


def render_clearing_list(request, *, create_form=None, error=None, status=200):
    form = forms.ClearingFilterForm(request.GET or None, user=request.user)
    qs = ClearingBatch.objects.visible_to(request.user).select_related(
        "institution", "created_by", "approved_by", "confirmed_by"
    )
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("institution"):
            qs = qs.filter(institution=form.cleaned_data["institution"])
        if form.cleaned_data.get("status"):
            qs = qs.filter(status=form.cleaned_data["status"])
    page = queries.newest_first(qs, "month", "text", request.GET.get("after", ""), page_size())
    for b in page.rows:
        with_direction(b)
    create_form = create_form or forms.ClearingCreateForm(
        user=request.user, initial={"month": forms.ClearingCreateForm.last_month()}
    )
    return render(
        request,
        "insurance/officer/clearing_list.html",
        {
            "form": form,
            "create_form": create_form,
            "page": page,
            "batches": page.rows,
            "error": error,
            "query": query_without(request, "after"),
        },
        status=status,
    )


@requires("clearing.manage")
@require_GET
def clearing_list(request):
    return render_clearing_list(request)


@requires("clearing.manage")
@require_POST
def clearing_create(request):
    form = forms.ClearingCreateForm(request.POST, user=request.user)
    if not form.is_valid():
        return render_clearing_list(request, create_form=form, error=form_error(form), status=422)
    try:
        batch = clearing.do_create_clearing(
            request.user, form.cleaned_data["institution"].pk, form.cleaned_data["month"]
        )
    except DomainError as exc:
        return render_clearing_list(
            request, create_form=form, error=error_of(exc), status=exc.status
        )
    messages.success(request, "清算批次已生成，待审核。")
    return redirect("insurance:clearing_detail", pk=batch.pk)


def _batch_or_404(request, pk) -> ClearingBatch:
    batch = (
        ClearingBatch.objects.visible_to(request.user)
        .select_related("institution", "created_by", "approved_by", "confirmed_by")
        .filter(pk=pk)
        .first()
    )
    if batch is None:
        raise Http404("清算批次不存在或无权查看")
    return batch


def with_direction(batch: ClearingBatch) -> ClearingBatch:
    """Whether the month's net is paid out or owed by the institution (carried to its
    later months), and how much, for the pages."""
    batch.direction = clearing.direction(batch.amount_payable)
    batch.owed = -batch.amount_payable if batch.direction == clearing.CARRY else None
    return batch


def carry_of(batch: ClearingBatch, user=None) -> dict | None:
    """Earlier months' owed amount deducted, the adjustments netted in (review's
    recoveries, 追回), what is paid and what is carried on: as confirmed, or as
    confirming now would do it, each pending adjustment listed. Amounts owed are shown
    positive; `adjusted` is signed (< 0 deducted)."""
    zero = Decimal("0.00")
    if batch.status == ClearingStatus.CANCELLED:
        return None
    pending = []
    if batch.status == ClearingStatus.CONFIRMED:
        deducted, paid, carried = batch.carried_in, batch.amount_paid, batch.carried_out
        adjusted = sum((Decimal(p.get("adjusted", "0")) for p in batch.ledgers or []), zero)
    else:
        pending = clearing.pending_adjustments(batch.institution_id)
        parts = clearing.preview(batch, pending)
        deducted = sum((p.carried_in for p in parts), zero)
        paid = sum((p.paid for p in parts), zero)
        carried = sum((p.carried_out for p in parts), zero)
        adjusted = sum((p.adjusted for p in parts), zero)
    # The finding behind a recovery is linked for those who may open it.
    linked = user is not None and has_perm(user, "review.read")
    return {
        "deducted": -deducted,
        "adjusted": adjusted,
        "paid": paid,
        "carried": -carried,
        "pending": [
            {"label": p.label, "amount": p.adjustment.amount, "url": p.url if linked else ""}
            for p in pending
        ],
    }


def batch_settlements(request, batch: ClearingBatch):
    """The batch's settlements: marked ones once confirmed, before that the month's open ones
    (those a confirmation would mark). Only the user's residents are listed."""
    qs = Settlement.objects.visible_to(request.user).filter(institution_id=batch.institution_id)
    if batch.status == ClearingStatus.CONFIRMED:
        qs = qs.filter(clearing_batch_id=batch.pk)
    else:
        start, end = queries.month_bounds(batch.month)
        qs = qs.filter(settled_at__gte=start, settled_at__lt=end, clearing_batch_id__isnull=True)
    return qs.select_related("person")


def render_batch(request, batch, *, error=None, status=200, cancel_reason=""):
    page = queries.newest_first(
        batch_settlements(request, batch),
        "settled_at",
        "datetime",
        request.GET.get("after", ""),
        page_size(),
    )
    audit_rows(request, page.rows, f"clearing_batch:{batch.pk}")
    me = request.user.pk
    drifted = None
    if batch.status in (ClearingStatus.DRAFT, ClearingStatus.APPROVED):
        # What confirming would mark, across all residents: if it is no longer what the
        # batch was drawn up from, the confirmation will be refused (clearing_changed).
        start, end = queries.month_bounds(batch.month)
        now_open = Settlement.objects.filter(
            institution_id=batch.institution_id,
            settled_at__gte=start,
            settled_at__lt=end,
            clearing_batch_id__isnull=True,
        ).count()
        drifted = now_open if now_open != batch.settlement_count else None
    return render(
        request,
        "insurance/officer/clearing_detail.html",
        {
            "batch": with_direction(batch),
            "carry": carry_of(batch, request.user),
            "page": page,
            "rows": with_labels(page.rows),
            "error": error,
            "query": query_without(request, "after"),
            "is_draft": batch.status == ClearingStatus.DRAFT,
            "is_approved": batch.status == ClearingStatus.APPROVED,
            # Four eyes: whoever drew up or approved the batch does not confirm it.
            "may_confirm": me not in {batch.approved_by_id, batch.created_by_id},
            "drifted": drifted,
            "may_cancel": batch.status in (ClearingStatus.DRAFT, ClearingStatus.APPROVED),
            "cancel_reason": cancel_reason,
            "cancel_reason_max": clearing.CANCEL_REASON_MAX,
        },
        status=status,
    )


@requires("clearing.manage")
@require_GET
def clearing_detail(request, pk):
    return render_batch(request, _batch_or_404(request, pk))


def _clearing_action(request, pk, action, done):
    """Call one clearing service; `done` is the success message, or makes it from the batch."""
    batch = _batch_or_404(request, pk)
    try:
        batch = action(request.user, batch.pk)
    except DomainError as exc:
        return render_batch(
            request, _batch_or_404(request, pk), error=error_of(exc), status=exc.status
        )
    messages.success(request, done(batch) if callable(done) else done)
    return redirect("insurance:clearing_detail", pk=batch.pk)


def confirmed_message(batch: ClearingBatch) -> str:
    deducted = f"（已抵扣以前月份应退回 {-batch.carried_in} 元）" if batch.carried_in else ""
    if batch.amount_paid > 0:
        return f"清算批次已复核，拨付 {batch.amount_paid} 元已记账{deducted}。"
    if batch.carried_out < 0:
        return (
            f"清算批次已复核；该机构应退回 {-batch.carried_out} 元，不拨付、不记账，"
            "结转从该机构以后月份的拨付中抵扣。"
        )
    if batch.carried_in:
        return f"清算批次已复核；本月净额与以前月份应退回相抵，无需拨付，未记账{deducted}。"
    return "清算批次已复核；本月净额为零，无需拨付或退回，未记账。"


@requires("clearing.manage")
@require_POST
def clearing_approve(request, pk):
    return _clearing_action(
        request, pk, clearing.do_approve_clearing, "清算批次已审核，待另一位经办人员复核拨付。"
    )


@requires("clearing.manage")
@require_POST
def clearing_confirm(request, pk):
    return _clearing_action(
        request,
        pk,
        clearing.do_confirm_clearing,
        confirmed_message,
    )


@requires("clearing.manage")
@require_POST
def clearing_cancel(request, pk):
    """Void a batch not yet confirmed, with a reason (audited by the service)."""
    batch = _batch_or_404(request, pk)
    reason = request.POST.get("reason", "")
    try:
        clearing.do_cancel_clearing(request.user, batch.pk, reason)
    except DomainError as exc:
        return render_batch(
            request,
            _batch_or_404(request, pk),
            error=error_of(exc),
            status=exc.status,
            cancel_reason=reason,
        )
    messages.success(request, "清算批次已作废；可在月度清算页为该机构该月重新生成批次。")
    return redirect("insurance:clearing_detail", pk=batch.pk)
