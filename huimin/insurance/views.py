"""The cashier's counter (收费结算) and the settlement receipt (结算单) pages.

Thin views over huimin.insurance.services: the counter acts for the user's own
institution (cashier, doctor, village doctor). A refused step re-renders its part of the
page with the service's reasons next to the fields and the refusal's status (422, 409,
…), keeping what was typed. Every display of a person is an audited read; the services
audit the writes. Officers' pages live in officer_views.py.
"""

import datetime
import re
import secrets
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huimin.core.errors import Conflict, DomainError, ValidationFailed
from huimin.core.money import ZERO, parse_decimal, r2
from huimin.insurance import fees, plans, receipt, services
from huimin.insurance.models import FeeDetail, Settlement, SettlementKind, Visit, VisitStatus
from huimin.policy import check_perm, get_visible_or_404, has_perm, institution_of, reads
from huimin.registry.models import category_label
from huimin.registry.services import audit_search

STALE_FORM = "页面已过期或表单不完整，请刷新页面后重试"

PERSON_FIELDS = ["name", "sex", "birth_date", "id_number_masked", "insured", "year_to_date"]
FIELD_NAMES = {  # service field paths → the form's input names
    "lines[0].code": "code",
    "lines[0].quantity": "quantity",
    "lines[0].unit_price": "unit_price",
    "lines[0].fee_date": "code",
    "lines": "code",
}
REFUSALS = {
    "not_insured": "参保人在就诊日期未参保或待遇未生效，不能按医保结算",
    "person_deceased": "参保人已死亡，不能按医保结算",
}
# A form's key as the page makes it (secrets.token_urlsafe(24)); with the "web:" prefix
# it stays within core.idempotency's 64 characters.
KEY_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,60}$")
MAX_QUANTITY = Decimal("9999999")
MAX_PRICE = Decimal("999999999")
MAX_LINE_AMOUNT = Decimal("99999999.99")
TODAY_LIMIT = 200
WAITING_DAYS = 90


# ---------------------------------------------------------------- access


def counter_institution(user):
    """The institution a counter user acts for; 403 for anyone else."""
    message = "只有医疗机构的收费员和医生可以办理收费结算"
    check_perm(user, "settlement.operate", message=message)
    if institution_of(user) is None:
        raise PermissionDenied(message)
    return user.staff.institution


def counter(view):
    """Logged in, at an institution's counter: the view gets the institution."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        return view(request, counter_institution(request.user), *args, **kwargs)

    return login_required(checked)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def go(request, url: str) -> HttpResponse:
    """Redirect the window, whether the request came from htmx or a plain form."""
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def audit_person_read(request, person, purpose: str, fields=None) -> None:
    reads.audit_read(
        request.user,
        model_label="registry.person",
        object_id=person.pk,
        person_ids=[person.pk],
        region_code=person.village_id,
        fields=fields or PERSON_FIELDS,
        purpose=purpose,
        request=request,
    )


def error_context(exc: DomainError, names=None) -> dict:
    """A service refusal as the page shows it: the message, and reasons by input name."""
    if exc.code == "idempotency_key_required":
        # The page makes the key; without one the form is stale or was not ours.
        return {"message": STALE_FORM, "code": exc.code, "fields": {}}
    names = names or {}
    fields = {}
    for key, reason in exc.fields.items():
        name = names.get(key, key)
        fields[name] = f"{fields[name]}；{reason}" if name in fields else reason
    return {"message": exc.message, "code": exc.code, "fields": fields}


def new_key() -> str:
    """A form's Idempotency-Key: one per rendered form, so a double click or a resent
    form is one request (core/idempotency.py), and the next form is a new one."""
    return secrets.token_urlsafe(24)


def form_key(request) -> str:
    """The posted form's key, prefixed so it never meets a hospital system's keys (same
    institution scope); "" when missing or not the page's (refused as a stale form)."""
    raw = request.POST.get("idempotency_key", "")
    return f"web:{raw}" if KEY_SHAPE.match(raw) else ""


def parse_date(raw: str, default: datetime.date) -> datetime.date | None:
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        return None


# ---------------------------------------------------------------- visit numbers


def visit_no_prefix(visit_type: str, on: datetime.date) -> str:
    return f"{'ZY' if visit_type == 'inpatient' else 'MZ'}{on:%Y%m%d}"


def next_visit_no(prefix: str, existing) -> str:
    """The next "MZ20261124" + 4-digit number after those already used that day."""
    used = [int(n[len(prefix) :]) for n in existing if n[len(prefix) :].isdigit()]
    return f"{prefix}{max(used, default=0) + 1:04d}"


def suggested_visit_no(institution, visit_type: str, on: datetime.date) -> str:
    prefix = visit_no_prefix(visit_type, on)
    # Bounded by (institution, visit_date): the visits of one day, on visit_institution_idx.
    existing = Visit.objects.filter(
        institution=institution, visit_date=on, his_visit_no__startswith=prefix
    ).values_list("his_visit_no", flat=True)
    return next_visit_no(prefix, existing)


# ---------------------------------------------------------------- counter: find a person


def visit_type_choices(person, institution, on: datetime.date) -> list[tuple[str, str]]:
    """The plan's visit types that this institution's level is paid for."""
    row = plans.active_plan_for(person.village_id, on.year)
    if row is None:
        return []
    level = institution.level or "1"
    return [
        (code, receipt.visit_type_label(code))
        for code, vt in plans.parsed(row).visit_types.items()
        if level in vt.ratio
    ]


def person_panel(request, institution, id_number: str, on, form=None, error=None, status=200):
    """The found person, their cover on `on` and the visit registration form."""
    context = {
        "id_number": id_number,
        "visit_date": on,
        "form": form or {},
        "error": error,
        "register_key": new_key(),
    }
    try:
        found = services.lookup(institution, id_number, on)
    except DomainError as exc:
        context["lookup_error"] = error_context(exc)
        return render(request, "insurance/cashier_person.html", context, status=exc.status)
    person, cov = found["person"], found["coverage"]
    audit_person_read(request, person, "收费结算：参保信息查询")
    choices = visit_type_choices(person, institution, on) if cov else []
    numbers: dict[str, str] = {}  # one query per prefix (MZ, ZY), not per type
    for code, _label in choices:
        prefix = visit_no_prefix(code, on)
        if prefix not in numbers:
            numbers[prefix] = suggested_visit_no(institution, code, on)
    types = [
        {"code": code, "label": label, "next_no": numbers[visit_no_prefix(code, on)]}
        for code, label in choices
    ]
    # Most visits at a counter are outpatient: offer one first when the plan has it.
    outpatient = [code for code, _label in choices if code != "inpatient"]
    chosen = context["form"].get("visit_type") or next(
        iter(outpatient or [code for code, _label in choices]), ""
    )
    context.update(
        person=person,
        age=receipt.age_on(person.birth_date, on),
        coverage=cov,
        category=category_label(cov.person_category) if cov else "",
        categories=[category_label(c) for c in cov.categories] if cov else [],
        refusal=REFUSALS.get(found["refusal"], "") if found["refusal"] else "",
        ytd=found["ytd"],
        ytd_by_type=[
            (receipt.visit_type_label(k), v)
            for k, v in sorted(found["ytd"].basic_paid_by_type.items())
        ],
        visit_types=types,
        chosen_type=chosen,
        chosen_next=next((t["next_no"] for t in types if t["code"] == chosen), ""),
    )
    return render(request, "insurance/cashier_person.html", context, status=status)


def bad_date_panel(request, id_number: str):
    error = {"message": "就诊日期有误", "fields": {"visit_date": "就诊日期须为不晚于今天的日期"}}
    return render(
        request,
        "insurance/cashier_person.html",
        {"lookup_error": error, "id_number": id_number},
        status=422,
    )


@counter
@require_GET
def cashier(request, institution):
    return render(
        request,
        "insurance/cashier.html",
        {"institution": institution, "today": timezone.localdate()},
    )


@counter
@require_POST
def cashier_find(request, institution):
    """Find by ID number (POST: a full ID number never goes into a URL or an access log)."""
    id_number = request.POST.get("id_number", "").strip()[:40]
    today = timezone.localdate()
    on = parse_date(request.POST.get("visit_date", ""), today)
    if on is None or on > today:
        panel = bad_date_panel(request, id_number)
    else:
        panel = person_panel(request, institution, id_number, on)
    if is_htmx(request):
        return panel
    # Without htmx the whole page comes back with the panel in place.
    return render(
        request,
        "insurance/cashier.html",
        {
            "institution": institution,
            "today": today,
            "panel": panel.content.decode(),
            "id_number": id_number,
            "visit_date": on or today,
        },
        status=panel.status_code,
    )


# ---------------------------------------------------------------- counter: register a visit


@counter
@require_POST
def cashier_register(request, institution):
    post = request.POST
    id_number = post.get("id_number", "").strip()[:40]
    today = timezone.localdate()
    on = parse_date(post.get("visit_date", ""), today)
    if on is None:
        return bad_date_panel(request, id_number)
    form = {
        "visit_type": post.get("visit_type", "").strip()[:30],
        "his_visit_no": post.get("his_visit_no", "").strip(),
        "diagnosis_code": post.get("diagnosis_code", "").strip()[:20],
        "diagnosis_name": post.get("diagnosis_name", "").strip()[:100],
    }
    data = services.VisitData(
        id_number=id_number,
        visit_type=form["visit_type"],
        his_visit_no=form["his_visit_no"],
        visit_date=on,
        diagnosis_code=form["diagnosis_code"],
        diagnosis_name=form["diagnosis_name"],
    )
    automatic = not data.his_visit_no
    key = form_key(request)

    def choose_no() -> str:
        return suggested_visit_no(institution, data.visit_type, on)

    # A number the page makes up may be taken by a colleague at the same moment: try again
    # (with the same key: a refused attempt stored nothing).
    for _attempt in range(3):
        if automatic:
            data.his_visit_no = ""
        try:
            visit, _ = services.register_visit_once(
                institution,
                data,
                key,
                request=request,
                choose_no=choose_no if automatic else None,
            )
        except Conflict as exc:
            if automatic and exc.code == "visit_no_exists":
                continue
            return person_panel(
                request, institution, id_number, on, form, error_context(exc), exc.status
            )
        except DomainError as exc:
            return person_panel(
                request, institution, id_number, on, form, error_context(exc), exc.status
            )
        messages.success(request, f"已登记就诊 {visit.his_visit_no}")
        return go(request, reverse("insurance:cashier_visit", args=[visit.pk]))
    exc = Conflict("visit_no_exists", "自动生成的就诊流水号已被占用，请重试或手工填写")
    return person_panel(request, institution, id_number, on, form, error_context(exc), 409)


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
        services.discharge_once(
            institution, visit.his_visit_no, on, form_key(request), request=request
        )
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
            result = services.pre_settle(institution, visit.his_visit_no)
        except DomainError as exc:
            context["error"] = error_context(exc)
            status = exc.status
        else:
            audit_person_read(
                request, visit.person, f"收费结算：预结算{visit.his_visit_no}", ["year_to_date"]
            )
            rows = list(FeeDetail.objects.filter(visit=visit, cancelled=False))
            context["money"] = receipt.breakdown(result.as_json(), rows, visit.visit_type)
    return render(request, "insurance/cashier_breakdown.html", context, status=status)


@counter
@require_POST
def cashier_settle(request, institution, visit_id: int):
    """2207/2304. The page's key, prefixed so it never meets a hospital system's keys."""
    visit = counter_visit(institution, visit_id)
    key = form_key(request)
    try:
        settlement, replayed = services.do_settle(
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
        # Cleared or not: services.do_reverse allows both (the reversal is netted in the
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


@login_required
@require_GET
def receipt_view(request, settlement_id: int):
    return receipt_page(request, readable_settlement(request, settlement_id))


@login_required
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
        reversal, replayed = services.do_reverse(
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
