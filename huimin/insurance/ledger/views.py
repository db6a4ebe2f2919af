"""资金到账与管理费: the office records subsidy and assistance money arriving and the
management fees received and spent; each is one balanced entry of the fund ledger."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from huimin.core.errors import DomainError
from huimin.insurance import forms
from huimin.insurance.ledger import rules, services
from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.views.ledger import ledger_region, ledger_year
from huimin.insurance.views.officer import error_of
from huimin.policy import requires

RECENT = 100


@requires("ledger.post")
@require_http_methods(["GET", "POST"])
def receipts(request):
    form = forms.LedgerForm(request.GET or None)
    region, year = ledger_region(request, form), ledger_year(form)
    error, typed, status = None, {}, 200
    if request.method == "POST":
        typed = {k: request.POST.get(k, "") for k in ("kind", "amount", "reference", "memo")}
        try:
            services.do_record_receipt(
                request.user, region_code=region, year=year, request=request, **typed
            )
        except DomainError as exc:
            error, status = error_of(exc), exc.status
        else:
            label = rules.RECEIPT_KINDS[typed["kind"]].label
            messages.success(request, f"已登记：{label} {typed['amount']} 元")
            url = reverse("insurance:ledger_receipts")
            return redirect(f"{url}?region={region}&year={year}")
    recent = (
        JournalEntry.objects.filter(
            region_code=region, year=year, source_type=services.RECEIPT_SOURCE
        )
        .prefetch_related("postings__account")
        .order_by("-posted_at", "-id")[:RECENT]
    )
    return render(
        request,
        "ledger/receipts.html",
        {
            "region": region,
            "year": year,
            "kinds": rules.RECEIPT_KINDS,
            "typed": typed,
            "error": error,
            "recent": recent,
            "limit": RECENT,
        },
        status=status,
    )
