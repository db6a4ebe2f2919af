"""The settlement receipt (结算单), its PDF, its reversal, and the public verification page."""

import re

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from huimin.core.errors import DomainError
from huimin.insurance import receipt
from huimin.insurance.models import Settlement, SettlementKind
from huimin.insurance.services.reversal import do_reverse
from huimin.insurance.views.counter import (
    audit_person_read,
    counter,
    error_context,
    form_key,
    new_key,
)
from huimin.policy import get_visible_or_404, has_perm, institution_of, public, requires_any

# ---------------------------------------------------------------- receipt


def verify_url(request, settlement) -> str:
    return request.build_absolute_uri(
        reverse("insurance:verify", args=[settlement.verification_code])
    )


def readable_settlement(request, settlement_id: int) -> Settlement:
    """The settlement if the user may read it; 404 otherwise, with the refusal audited."""
    return get_visible_or_404(
        request.user,
        receipt.visible_settlements(request.user).select_related(
            "institution", "person", "visit", "settled_by", "reverses"
        ),
        settlement_id,
        request=request,
        object_type="insurance.settlement",
        what="结算记录",
        reason="out_of_scope",
    )


def can_reverse(user, settlement) -> bool:
    return (
        has_perm(user, "settlement.operate")
        and institution_of(user) == settlement.institution_id
        and settlement.kind == SettlementKind.SETTLE
        and settlement.reversed_at is None
        # Cleared or not: do_reverse allows both (the reversal is netted in the
        # clearing of the month it is made in), and the page follows it.
    )


def receipt_page(request, settlement, *, form=None, error=None, status=200):
    data = receipt.build(settlement, verify_url(request, settlement))
    audit_person_read(
        request,
        settlement.person,
        f"查看结算单 {settlement.pk}",
        ["name", "sex", "birth_date", "id_number_masked", "settlement"],
    )
    context = {
        "r": data,
        "qr": receipt.qr_svg(data.verify_url),
        "can_reverse": can_reverse(request.user, settlement),
        "at_counter": institution_of(request.user) == settlement.institution_id,
        "reverse_key": new_key(),
        "form": form or {},
        "error": error,
    }
    return render(request, "insurance/receipt.html", context, status=status)


@requires_any("settlement.operate", "settlement.read")  # visible_settlements scopes each
@require_GET
def receipt_view(request, settlement_id: int):
    return receipt_page(request, readable_settlement(request, settlement_id))


@requires_any("settlement.operate", "settlement.read")
@require_GET
def receipt_pdf(request, settlement_id: int):
    settlement = readable_settlement(request, settlement_id)
    data = receipt.build(settlement, verify_url(request, settlement))
    try:
        body = receipt.pdf(data)
    except receipt.ReceiptFontMissing as exc:
        return render(
            request, "insurance/receipt_error.html", {"message": exc.message}, status=exc.status
        )
    audit_person_read(
        request,
        settlement.person,
        f"打印结算单 {settlement.pk}（PDF）",
        ["name", "sex", "birth_date", "id_number_masked", "settlement"],
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="settlement-{settlement.pk}.pdf"'
    return response


@counter
@require_http_methods(["POST"])
def receipt_reverse(request, institution, settlement_id: int):
    """2208/2305 from the receipt: a reason, and a key per page so a retry reverses once."""
    settlement = readable_settlement(request, settlement_id)
    if settlement.institution_id != institution.pk:
        raise Http404("结算记录不存在或无权查看")
    reason = request.POST.get("reason", "").strip()[:200]
    key = form_key(request)
    try:
        reversal, replayed = do_reverse(
            institution, settlement.pk, key, reason, actor=request.user, request=request
        )
    except DomainError as exc:
        settlement.refresh_from_db()
        return receipt_page(
            request,
            settlement,
            form={"reason": reason},
            error=error_context(exc),
            status=exc.status,
        )
    if replayed:
        messages.info(request, "该冲正已提交过，以下是首次冲正的结果（未重复冲正）")
    else:
        messages.success(request, f"已冲正结算 #{settlement.pk}")
    return redirect("insurance:receipt", reversal.pk)


# ---------------------------------------------------------------- public verification

CODE_SHAPE = re.compile(r"^[0-9A-F]{12}$")


@public("收据核验：持收据者核对机构、日期与金额，页面不显示姓名")
@require_GET
def verify(request, code: str):
    """Anyone holding a receipt may check it: institution, date and amounts, nobody's name."""
    code = code.upper()
    settlement = None
    if CODE_SHAPE.match(code):
        settlement = (
            Settlement.objects.filter(verification_code=code)
            .select_related("institution")
            .only(
                "kind",
                "settled_at",
                "total",
                "patient_pay",
                "reversed_at",
                "verification_code",
                "institution__name",
            )
            .first()
        )
    if settlement is None:
        return render(request, "insurance/receipt_verify.html", {"code": code}, status=404)
    return render(request, "insurance/receipt_verify.html", {"s": settlement, "code": code})
