"""The officer's settlement pages: search, export, detail."""

import csv
import io

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from huimin.core.search import link_query, search_data
from huimin.insurance import forms, queries, receipt
from huimin.insurance.models import Settlement
from huimin.insurance.shown import shown
from huimin.insurance.views.officer import (
    VISIT_TYPES,
    audit_rows,
    form_error,
    page_size,
    with_labels,
)
from huimin.policy import (
    get_visible_or_404,
    reads,
    requires,
)
from huimin.registry.models import category_label

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
    view = shown(s)
    result_lines = view.result.get("lines") or []
    rows = receipt.match_lines(result_lines, queries.visit_fees(s.visit_id), view.fee_line_ids)
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
    sign = view.sign
    delta = view.ytd_delta
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
            "after_rows": ytd_rows(view.result.get("ytd_after") or {}),
            "findings": view.review_findings,
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
