"""The counter's visit page: fee lines, discharge, pre-settlement, settlement, today's list."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from huimin.core.errors import DomainError, ValidationFailed
from huimin.core.money import ZERO, parse_decimal, r2
from huimin.insurance import receipt
from huimin.insurance.models import FeeDetail, Settlement, SettlementKind, Visit, VisitStatus
from huimin.insurance.services import fees
from huimin.insurance.services.settlement import do_settle, pre_settle
from huimin.insurance.services.visits import discharge_once
from huimin.insurance.views.counter import (
    FIELD_NAMES,
    MAX_LINE_AMOUNT,
    MAX_PRICE,
    MAX_QUANTITY,
    TODAY_LIMIT,
    WAITING_DAYS,
    audit_person_read,
    counter,
    error_context,
    form_key,
    is_htmx,
    new_key,
    parse_date,
)
from huimin.registry.models import category_label
from huimin.registry.services import audit_search

# ---------------------------------------------------------------- counter: the visit


def counter_visit(institution, visit_id: int) -> Visit:
    # Another institution's visit is simply not found.
    return get_object_or_404(
        Visit.objects.select_related("person", "institution"),
        pk=visit_id,
        institution=institution,
    )


def standing_settlement(visit) -> Settlement | None:
    return Settlement.objects.filter(
        visit=visit, kind=SettlementKind.SETTLE, reversed_at__isnull=True
    ).first()


def fees_context(visit, form=None, error=None) -> dict:
    rows = list(FeeDetail.objects.filter(visit=visit, cancelled=False))
    for f in rows:
        f.cancel_key = new_key()  # one per line's button: each cancel is its own request
        f.amount = r2(f.quantity * f.unit_price)
        f.class_label = receipt.CLASS_LABELS.get(f.item_class, f.item_class)
        f.quantity_text = receipt.quantity_text(f.quantity)
        f.price_text = receipt.price_text(f.unit_price)
    return {
        "visit": visit,
        "fees": rows,
        "fees_total": sum((f.amount for f in rows), ZERO),
        "editable": visit.status in (VisitStatus.OPEN, VisitStatus.DISCHARGED),
        "form": form or {},
        "error": error,
        "fee_key": new_key(),
    }


def visit_page(request, institution, visit, *, error=None, status=200, form=None, fee_error=None):
    audit_person_read(
        request,
        visit.person,
        f"收费结算：就诊{visit.his_visit_no}",
        fields=["name", "sex", "birth_date", "id_number_masked", "visit"],
    )
    context = {
        "institution": institution,
        "visit": visit,
        "person": visit.person,
        "age": receipt.age_on(visit.person.birth_date, visit.visit_date),
        "category": category_label(visit.person_category),
        "visit_type": receipt.visit_type_label(visit.visit_type),
        "standing": standing_settlement(visit),
        # One key per page: a double click or a resent form settles once (services replay it).
        "settle_key": new_key(),
        "discharge_key": new_key(),
        "settle_error": error,
        "today": timezone.localdate(),
        **fees_context(visit, form, fee_error),
    }
    return render(request, "insurance/cashier_visit.html", context, status=status)


@counter
@require_GET
def cashier_visit(request, institution, visit_id: int):
    return visit_page(request, institution, counter_visit(institution, visit_id))


def read_fee_line(post) -> tuple[dict, dict, fees.FeeLineData | None]:
    """The typed line, its problems by input name, and the service's input when valid."""
    form = {
        "code": post.get("code", "").strip()[:40],
        "name": post.get("name", "").strip()[:200],
        "quantity": post.get("quantity", "").strip()[:30],
        "unit_price": post.get("unit_price", "").strip()[:30],
        "override_reason": post.get("override_reason", "").strip()[:200],
        "restricted": post.get("restricted", ""),
    }
    problems = {}
    if not form["code"]:
        problems["code"] = "请选择或输入医保目录编码"
    values = {}
    for name, label, limit in (
        ("quantity", "数量", MAX_QUANTITY),
        ("unit_price", "单价", MAX_PRICE),
    ):
        try:
            value = parse_decimal(form[name], label)
        except ValueError as exc:
            problems[name] = str(exc).split(": ", 1)[-1]
            continue
        # The size first: quantizing 1e400 would overflow the decimal context.
        if value > limit:
            problems[name] = f"{label}过大"
        elif value != value.quantize(Decimal("0.0001")):
            problems[name] = f"{label}最多四位小数"
        elif name == "quantity" and value <= 0:
            problems[name] = "数量须大于0"
        else:
            values[name] = value
    if not problems and values["quantity"] * values["unit_price"] > MAX_LINE_AMOUNT:
        # Settlement amounts are 14 digits: keep every sum of lines well inside them.
        problems["unit_price"] = "单行金额过大，请核对数量和单价"
    if problems:
        return form, problems, None
    line = fees.FeeLineData(
        code=form["code"],
        name=form["name"],
        quantity=values["quantity"],
        unit_price=values["unit_price"],
        override_reason=form["override_reason"],
    )
    return form, problems, line


@counter
@require_POST
def cashier_add_fee(request, institution, visit_id: int):
    visit = counter_visit(institution, visit_id)
    form, problems, line = read_fee_line(request.POST)
    if line is None:
        error = {"message": "费用明细有误，请检查后重试", "fields": problems}
        return render_fees(request, institution, visit, form, error, status=422)
    try:
        fees.upload_fees_once(
            institution, visit.his_visit_no, [line], form_key(request), request=request
        )
    except DomainError as exc:
        if exc.code == "restriction_violated":
            form["restricted"] = exc.fields.get("lines[0].code", exc.message)
        return render_fees(
            request, institution, visit, form, error_context(exc, FIELD_NAMES), exc.status
        )
    visit.refresh_from_db(fields=["status"])
    return render_fees(request, institution, visit)


@counter
@require_POST
def cashier_cancel_fee(request, institution, visit_id: int, line_no: int):
    visit = counter_visit(institution, visit_id)
    try:
        fees.cancel_fees_once(
            institution, visit.his_visit_no, [line_no], form_key(request), request=request
        )
    except DomainError as exc:
        return render_fees(
            request, institution, visit, None, error_context(exc, FIELD_NAMES), exc.status
        )
    return render_fees(request, institution, visit)


def render_fees(request, institution, visit, form=None, error=None, status=200):
    if is_htmx(request):
        context = fees_context(visit, form, error)
        return render(request, "insurance/cashier_fees.html", context, status=status)
    if error is None:
        return redirect("insurance:cashier_visit", visit.pk)
    # Without htmx: the whole visit page, with the refused line as typed.
    return visit_page(request, institution, visit, form=form, fee_error=error, status=status)


@counter
@require_POST
def cashier_discharge(request, institution, visit_id: int):
    visit = counter_visit(institution, visit_id)
    on = parse_date(request.POST.get("discharge_date", ""), timezone.localdate())
    try:
        if on is None:
            raise ValidationFailed({"discharge_date": "出院日期格式有误"})
        discharge_once(institution, visit.his_visit_no, on, form_key(request), request=request)
    except DomainError as exc:
        return visit_page(request, institution, visit, error=error_context(exc), status=exc.status)
    messages.success(request, f"已办理出院：{on:%Y-%m-%d}")
    return redirect("insurance:cashier_visit", visit.pk)


@counter
@require_GET
def cashier_pre_settle(request, institution, visit_id: int):
    """2206/2303 on the page: the full breakdown, nothing written."""
    visit = counter_visit(institution, visit_id)
    context = {"visit": visit}
    status = 200
    if visit.status == VisitStatus.SETTLED:
        context["error"] = {"message": "该就诊已结算，请查看结算单", "fields": {}}
        status = 409
    else:
        try:
            result = pre_settle(
                institution, visit.his_visit_no, actor=request.user, request=request
            )
        except DomainError as exc:
            context["error"] = error_context(exc)
            status = exc.status
        else:
            audit_person_read(
                request, visit.person, f"收费结算：预结算{visit.his_visit_no}", ["year_to_date"]
            )
            rows = list(FeeDetail.objects.filter(visit=visit, cancelled=False))
            context["money"] = receipt.breakdown(result.as_json(), rows, visit.visit_type)
            context["findings"] = result.review_findings
    return render(request, "insurance/cashier_breakdown.html", context, status=status)


@counter
@require_POST
def cashier_settle(request, institution, visit_id: int):
    """2207/2304. The page's key, prefixed so it never meets a hospital system's keys."""
    visit = counter_visit(institution, visit_id)
    key = form_key(request)
    try:
        settlement, replayed = do_settle(
            institution, visit.his_visit_no, key, {}, actor=request.user, request=request
        )
    except DomainError as exc:
        error = error_context(exc, FIELD_NAMES)
        if exc.code == "visit_settled":
            # Settled meanwhile (another window or colleague): point at that receipt.
            standing = standing_settlement(visit)
            if standing is not None:
                error["receipt"] = reverse("insurance:receipt", args=[standing.pk])
        visit.refresh_from_db()
        return visit_page(request, institution, visit, error=error, status=exc.status)
    if replayed:
        messages.info(request, "该结算已提交过，以下是首次结算的结果（未重复结算）")
    else:
        messages.success(request, f"结算成功：个人现金支付 {settlement.patient_pay} 元")
    # The review rules' warnings let the settlement through; the cashier still sees each.
    for finding in settlement.review_findings:
        messages.warning(request, f"审核提示：{finding['message']}")
    return redirect("insurance:receipt", settlement.pk)


@counter
@require_GET
def cashier_today(request, institution):
    """Today's settlements at this institution, and visits still waiting to be settled."""
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    settlements = list(
        Settlement.objects.filter(
            institution=institution, settled_at__gte=start, settled_at__lt=end
        )
        .select_related("person", "visit")
        .order_by("-settled_at", "-id")[:TODAY_LIMIT]
    )
    waiting = list(
        Visit.objects.filter(
            institution=institution,
            # Bounded on visit_institution_idx; an admission rarely stays longer.
            visit_date__gte=today - datetime.timedelta(days=WAITING_DAYS),
            status__in=[VisitStatus.OPEN, VisitStatus.DISCHARGED],
        )
        .select_related("person")
        .order_by("-visit_date", "-id")[:TODAY_LIMIT]
    )
    people = {s.person for s in settlements} | {v.person for v in waiting}
    audit_search(
        request.user,
        "registry.person",
        sorted(people, key=lambda p: p.pk),
        "收费结算：今日结算与待结算就诊",
        request=request,
    )
    for s in settlements:
        s.type_label = receipt.visit_type_label(s.visit_type)
    for v in waiting:
        v.type_label = receipt.visit_type_label(v.visit_type)
    return render(
        request,
        "insurance/cashier_today.html",
        {
            "institution": institution,
            "today": today,
            "settlements": settlements,
            "waiting": waiting,
            "limit": TODAY_LIMIT,
            "waiting_days": WAITING_DAYS,
        },
    )
