"""The cashier's counter (收费结算): finding a person and registering a visit, and what
every counter page shares (the user's institution, refusals shown next to the fields)."""

import datetime
import re
import secrets
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from huimin.core.errors import Conflict, DomainError
from huimin.insurance import engine, plans, receipt
from huimin.insurance.models import Visit, VisitType
from huimin.insurance.services.lookup import lookup
from huimin.insurance.services.visits import VisitData, register_visit_once
from huimin.policy import institution_of, reads, requires
from huimin.registry.models import category_label

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
# The same limits as the API and the fee upload (engine.LIMITS).
MAX_QUANTITY = engine.LIMITS.quantity
MAX_PRICE = engine.LIMITS.unit_price
MAX_LINE_AMOUNT = engine.LIMITS.line_amount
TODAY_LIMIT = 200
WAITING_DAYS = 90


# ---------------------------------------------------------------- access


COUNTER_ONLY = "只有医疗机构的收费员和医生可以办理收费结算"


def counter_institution(user):
    """The institution a counter user acts for; 403 for staff of no institution."""
    if institution_of(user) is None:
        raise PermissionDenied(COUNTER_ONLY)
    return user.staff.institution


def counter(view):
    """A counter page: settlement.operate (declared through the policy layer), at an
    institution; the view gets the institution."""

    @requires("settlement.operate", message=COUNTER_ONLY)
    @wraps(view)
    def checked(request, *args, **kwargs):
        return view(request, counter_institution(request.user), *args, **kwargs)

    return checked


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
    return f"{'ZY' if visit_type == VisitType.INPATIENT else 'MZ'}{on:%Y%m%d}"


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
        found = lookup(institution, id_number, on)
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
    outpatient = [code for code, _label in choices if code != VisitType.INPATIENT]
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
    data = VisitData(
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
            visit, _ = register_visit_once(
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
