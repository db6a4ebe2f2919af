"""The officer's fund-ledger pages: balances and entries."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from huimin.insurance import forms, queries
from huimin.insurance.ledger import rules as ledger_rules
from huimin.insurance.ledger import services as ledger_services
from huimin.insurance.views.officer import form_error, page_size, query_without
from huimin.policy import (
    has_perm,
    in_jurisdiction,
    jurisdiction_of,
    requires,
)

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


# What posts journal entries (source_type, then its purposes): services/settlement.py
# "settlement" (settle, reverse), services/clearing.py "clearing" (payment, refund),
# enrollment "enrollment.payment" (contribution, refund), ledger "fund_receipt" (purposes
# are ledger.rules.RECEIPT_KINDS).
SOURCE_LABELS = {
    "settlement": ("结算", {"settle": "结算", "reverse": "冲正"}),
    "clearing": (
        "清算批次",
        {
            "payment": "拨付定点医疗机构",
            "refund": "定点医疗机构退回",
            "adjust-1204": "抵扣审核追回款",
        },
    ),
    # Posted by claim review (a layer above: only its source code is named here).
    "review.recovery": ("审核追回", {"recovery": "追回违规费用", "appeal_granted": "申诉成立冲回"}),
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
    if entry.source_type == "review.recovery" and entry.source_id.isdigit():
        return reverse("review:finding", args=[int(entry.source_id)])  # by name: no import
    if entry.source_type == "enrollment.payment" and entry.source_id in households:
        household, year = households[entry.source_id]
        return reverse("enrollment:household", args=[household]) + f"?year={year}"
    return ""
