"""The insurance officer's pages: plans, settlements, fund ledger, reconciliation, clearing.

Thin views: every read starts from `visible_to(request.user)` (another county's rows are
not there: 404 or an empty list); every write calls one service, which checks the
permission and four eyes again. A refused write re-renders its page with the reasons and
the status of the refusal (422, 409, 403, …) and changes nothing.
"""

import csv
import io
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huimin.core.errors import DomainError
from huimin.core.search import link_query, search_data
from huimin.insurance import clearing, forms, plan_actions, plans, queries, receipt
from huimin.insurance.ledger import rules as ledger_rules
from huimin.insurance.ledger import services as ledger_services
from huimin.insurance.models import (
    BenefitPlan,
    ClearingBatch,
    ClearingStatus,
    PlanStatus,
    Reconciliation,
    ReconciliationKind,
    Settlement,
    SettlementKind,
    VisitType,
)
from huimin.insurance.plan import PlanError
from huimin.policy import (
    get_visible_or_404,
    has_perm,
    in_jurisdiction,
    jurisdiction_of,
    reads,
    requires,
)
from huimin.registry.models import category_label

VISIT_TYPES = dict(VisitType.choices)
LABELS = {
    "document": "方案",
    "reason": "原因",
    "month": "清算月份",
    "institution": "医疗机构",
    "file": "文件",
}


def error_of(exc: DomainError) -> dict:
    fields = {}
    for key, reason in exc.fields.items():
        # Plan problems come as "document.<path>": the path is what the office reads.
        label = key.removeprefix("document.") if key.startswith("document.") else key
        fields[LABELS.get(label, label)] = reason
    return {"message": exc.message, "fields": fields}


def form_error(form) -> dict:
    return {
        "message": "输入有误，请检查后重试",
        "fields": {
            (form.fields[k].label if k in form.fields else "输入"): " ".join(v)
            for k, v in form.errors.items()
        },
    }


def page_size() -> int:
    return settings.HUIMIN_PAGE_SIZE


def with_labels(settlements):
    for s in settlements:
        s.visit_type_label = VISIT_TYPES.get(s.visit_type, s.visit_type)
        s.fund = s.basic_fund + s.critical_illness + s.assistance
    return settlements


def audit_rows(request, rows, query_kind: str, object_type="insurance.settlement") -> None:
    """Who saw which rows of a list, and whose they are: one event per page."""
    reads.audit_listing(
        request.user,
        model_label=object_type,
        rows=rows,
        query_description=query_kind,
        request=request,
    )


def query_without(request, *names) -> str:
    """The current query string without the pager's keys (for the next-page links)."""
    q = request.GET.copy()
    for name in names:
        q.pop(name, None)
    return q.urlencode()


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
        plan_actions.check_upload(request.user, document)
        row = plans.do_upload_plan(request.user, document, form.cleaned_data.get("note") or "")
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
        plans.do_activate_plan(request.user, row.pk)
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
        plan_actions.do_reject_plan(request.user, row.pk, request.POST.get("reason", ""))
    except DomainError as exc:
        row.refresh_from_db()
        return render_plan(request, row, error=error_of(exc), status=exc.status, reject_form=form)
    messages.success(request, "方案已退回。")
    return redirect("insurance:plan_detail", pk=row.pk)


# ---------------------------------------------------------------- settlements


@requires("settlement.read")
@require_http_methods(["GET", "POST"])
def settlement_list(request):
    # The filter form posts: a full ID number never travels in the URL; the pager and
    # export links carry a search token instead (core/search.py).
    data = search_data(request)
    form = forms.SettlementFilterForm(data or None, user=request.user)
    context = {"form": form, "rows": [], "summary": None, "page": None, "error": None}
    if data and not form.is_valid():
        context["error"] = form_error(form)
        # The page with the errors, marked as refused input (as the export is).
        return render(request, "insurance/officer/settlement_list.html", context, status=422)
    f = settlement_filter(form)
    scoped = queries.filter_settlements(Settlement.objects.visible_to(request.user), f)
    page = queries.newest_first(
        scoped.select_related("institution", "person"),
        "settled_at",
        "datetime",
        data.get("after", ""),
        page_size(),
    )
    audit_rows(
        request, page.rows, "settlement_list:id_number" if f.id_number else "settlement_list"
    )
    context.update(
        rows=with_labels(page.rows),
        page=page,
        summary=queries.settlement_summary(scoped),
        filter=f,
        query=link_query(request, data, "after").urlencode(),
        export_query=link_query(request, data, "after").urlencode(),
    )
    return render(request, "insurance/officer/settlement_list.html", context)


EXPORT_LIMIT = 100_000
EXPORT_CHUNK = 2000
EXPORT_COLUMNS = (
    "结算号 类型 结算时间 医疗机构 姓名 身份证号 就诊类型 医疗费总额 自费 乙类先行自付 "
    "政策范围内费用 起付线 基本医保统筹支付 大病保险支付 医疗救助支付 个人现金支付 验证码"
).split()


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@requires("settlement.read")
@require_GET
def settlement_export(request):
    """The filtered settlements as CSV (UTF-8 with BOM, for Excel), newest first, at most
    EXPORT_LIMIT rows; ID numbers masked; the export itself is audited with its filter."""
    data = search_data(request)
    form = forms.SettlementFilterForm(data or None, user=request.user)
    if data and not form.is_valid():
        # The list page with the same field errors: a bad filter is bad input, not a
        # missing record.
        context = {"form": form, "rows": [], "summary": None, "page": None}
        context["error"] = form_error(form)
        return render(request, "insurance/officer/settlement_list.html", context, status=422)
    f = settlement_filter(form)
    scoped = queries.filter_settlements(Settlement.objects.visible_to(request.user), f)
    # The rows are fixed before the audit record names them, and the file holds exactly
    # those: a settlement made while it streams is in neither.
    chosen = list(
        scoped.order_by("-settled_at", "-id").values_list("pk", "person_id")[:EXPORT_LIMIT]
    )
    reads.audit_listing(
        request.user,
        model_label="insurance.settlement",
        ids=[pk for pk, _ in chosen],
        person_ids=[person for _, person in chosen],
        action="export",
        query_description=f"结算查询导出 {f.date_from}至{f.date_to} 共{len(chosen)}行",
        fields=EXPORT_COLUMNS,
        request=request,
    )

    def in_order():
        ordered = Settlement.objects.select_related("institution", "person")
        for start in range(0, len(chosen), EXPORT_CHUNK):
            pks = [pk for pk, _ in chosen[start : start + EXPORT_CHUNK]]
            yield from ordered.filter(pk__in=pks).order_by("-settled_at", "-id")

    rows = in_order()

    def lines():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        yield "\ufeff" + out.getvalue()
        for s in rows:
            out.seek(0)
            out.truncate()
            writer.writerow(
                [
                    s.pk,
                    s.get_kind_display(),
                    timezone.localtime(s.settled_at).strftime("%Y-%m-%d %H:%M:%S"),
                    _cell(s.institution.name),
                    _cell(s.person.name),
                    s.person.id_number_masked,
                    VISIT_TYPES.get(s.visit_type, s.visit_type),
                    s.total,
                    s.self_pay,
                    s.b_self_pay,
                    s.eligible,
                    s.deductible,
                    s.basic_fund,
                    s.critical_illness,
                    s.assistance,
                    s.patient_pay,
                    s.verification_code,
                ]
            )
            yield out.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"settlements-{f.date_from:%Y%m%d}-{f.date_to:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def settlement_filter(form) -> "queries.SettlementFilter":
    """The list's filter from a valid (or unbound: this month so far) filter form."""
    if form.is_bound:
        data = form.cleaned_data
    else:
        first, last = forms.SettlementFilterForm.default_range()
        data = {"date_from": first, "date_to": last}
    return queries.SettlementFilter(
        date_from=data["date_from"],
        date_to=data["date_to"],
        institution_id=data["institution"].pk if data.get("institution") else None,
        visit_type=data.get("visit_type") or "",
        kind=data.get("kind") or "",
        total_min=data.get("total_min"),
        total_max=data.get("total_max"),
        id_number=data.get("id_number") or "",
    )


@requires("settlement.read")
@require_GET
def settlement_detail(request, pk):
    s = get_visible_or_404(
        request.user,
        Settlement.objects.select_related(
            "institution", "person", "visit", "plan", "reverses", "reversed_by"
        ),
        pk,
        request=request,
        object_type="insurance.settlement",
        fields=["amounts", "lines", "ytd"],
        what="结算记录",
    )
    original = s.reverses if s.kind == SettlementKind.REVERSAL else s
    result_lines = original.result.get("lines") or []
    rows = receipt.match_lines(
        result_lines, queries.visit_fees(s.visit_id), original.result.get("fee_lines")
    )
    lines = [
        {
            **line,
            "name": row.name if row else "",
            # A line let through on a reason: what it broke and why, for the reviewer.
            "overridden": row.overridden_names if row and row.overridden else "",
            "override_reason": row.override_reason if row and row.overridden else "",
        }
        for line, row in zip(result_lines, rows, strict=True)
    ]
    sign = -1 if s.kind == SettlementKind.REVERSAL else 1
    delta = original.result.get("ytd_delta") or {}
    try:
        reversal = s.reversed_by
    except Settlement.DoesNotExist:
        reversal = None
    return render(
        request,
        "insurance/officer/settlement_detail.html",
        {
            "s": with_labels([s])[0],
            "category": category_label(s.person_category),
            "lines": lines,
            "sign": sign,
            "delta": delta,
            "delta_rows": ytd_rows(delta),
            "after_rows": ytd_rows(original.result.get("ytd_after") or {}),
            "reversal": reversal,
        },
    )


YTD_LABELS = {
    "basic_paid": "基本医保累计支付",
    "ci_base": "大病保险累计合规自付",
    "ci_paid": "大病保险累计支付",
    "assistance_paid": "医疗救助累计支付",
}


def ytd_rows(ytd: dict) -> list[tuple[str, str]]:
    rows = [(label, ytd[key]) for key, label in YTD_LABELS.items() if key in ytd]
    for key, prefix in (("basic_paid_by_type", "基本医保"), ("deductible_paid_by_type", "起付线")):
        for vt, amount in sorted((ytd.get(key) or {}).items()):
            rows.append((f"{prefix}（{VISIT_TYPES.get(vt, vt)}）", amount))
    return rows


# ---------------------------------------------------------------- ledger


def ledger_region(request, form) -> str:
    """The region asked for, within the user's jurisdiction; 404 for another's."""
    prefix = jurisdiction_of(request.user)
    if prefix is None:
        raise Http404("没有可查看的统筹区")
    region = form.cleaned_data.get("region") if form.is_valid() else ""
    if not region:
        if len(prefix) >= 6:
            region = prefix[:6] if len(prefix) == 6 else prefix
        else:
            region = next(iter(queries.ledger_regions(request.user)), "")
    if region and not in_jurisdiction(request.user, region):
        raise Http404("该统筹区不在您的辖区内")
    return region


def ledger_year(form) -> int:
    return (form.cleaned_data.get("year") if form.is_valid() else None) or timezone.localdate().year


@requires("ledger.read")
@require_GET
def ledger(request):
    form = forms.LedgerForm(request.GET or None)
    region, year = ledger_region(request, form), ledger_year(form)
    overview = queries.ledger_overview(region, year) if region else None
    return render(
        request,
        "insurance/officer/ledger.html",
        {
            "form": form,
            "region": region,
            "year": year,
            "overview": overview,
            "can_post": has_perm(request.user, "ledger.post"),
            "regions": queries.ledger_regions(request.user),
            "years": queries.ledger_years(region) if region else [],
            "error": form_error(form) if request.GET and not form.is_valid() else None,
        },
    )


@requires("ledger.read")
@require_GET
def ledger_entries(request):
    form = forms.LedgerForm(request.GET or None)
    region, year = ledger_region(request, form), ledger_year(form)
    page = queries.journal_page(
        request.user, region, year, request.GET.get("after", ""), page_size()
    )
    households = queries.payment_households(page.rows)
    for entry in page.rows:
        entry.source_url = source_url(entry, households)
        entry.source_label, entry.purpose_label = source_labels(entry)
    return render(
        request,
        "insurance/officer/ledger_entries.html",
        {
            "form": form,
            "region": region,
            "year": year,
            "page": page,
            "entries": page.rows,
            "query": query_without(request, "after"),
        },
    )


# What posts journal entries (source_type, then its purposes): services.py "settlement"
# (settle, reverse), clearing.py "clearing" (payment, refund), enrollment "enrollment.payment"
# (contribution, refund), ledger "fund_receipt" (purposes are ledger.rules.RECEIPT_KINDS).
SOURCE_LABELS = {
    "settlement": ("结算", {"settle": "结算", "reverse": "冲正"}),
    "clearing": ("清算批次", {"payment": "拨付定点医疗机构", "refund": "定点医疗机构退回"}),
    "enrollment.payment": ("参保缴费", {"contribution": "个人缴费", "refund": "退费"}),
    ledger_services.RECEIPT_SOURCE: (
        "资金到账",
        {kind: spec.label for kind, spec in ledger_rules.RECEIPT_KINDS.items()},
    ),
}


def source_labels(entry) -> tuple[str, str]:
    """The 来源 column in Chinese: ("结算", "冲正") for settlement … reverse; codes unknown
    here are shown as they are rather than hidden."""
    name, purposes = SOURCE_LABELS.get(entry.source_type, (entry.source_type, {}))
    return name, purposes.get(entry.purpose, entry.purpose)


def source_url(entry, households: dict) -> str:
    """Where a journal entry came from: the settlement, the payment's household, the batch."""
    if entry.source_type == "settlement" and entry.source_id.isdigit():
        return reverse("insurance:settlement_detail", args=[int(entry.source_id)])
    if entry.source_type == "clearing":
        batch = entry.source_id.split("-", 1)[0]  # "<batch>" or "<batch>-<region>-<year>"
        if batch.isdigit():
            return reverse("insurance:clearing_detail", args=[int(batch)])
    if entry.source_type == "enrollment.payment" and entry.source_id in households:
        household, year = households[entry.source_id]
        return reverse("enrollment:household", args=[household]) + f"?year={year}"
    return ""


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


def carry_of(batch: ClearingBatch) -> dict | None:
    """Earlier months' owed amount deducted, what is paid and what is carried on: as
    confirmed, or as confirming now would do it. Amounts owed are shown positive."""
    if batch.status == ClearingStatus.CANCELLED:
        return None
    if batch.status == ClearingStatus.CONFIRMED:
        deducted, paid, carried = batch.carried_in, batch.amount_paid, batch.carried_out
    else:
        parts = clearing.preview(batch)
        deducted = sum((p.carried_in for p in parts), Decimal("0.00"))
        paid = sum((p.paid for p in parts), Decimal("0.00"))
        carried = sum((p.carried_out for p in parts), Decimal("0.00"))
    return {"deducted": -deducted, "paid": paid, "carried": -carried}


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
            "carry": carry_of(batch),
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
