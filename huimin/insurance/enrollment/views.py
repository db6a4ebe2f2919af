"""Enrollment pages: thin views over the services; every read starts from visible_to(user).

A refused write re-renders its page with the reasons and the status of the refusal
(422, 409, …), keeping what was typed; a successful one redirects with a message.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huimin.core.errors import DomainError
from huimin.core.search import search_data
from huimin.core.text import ascii_digits
from huimin.insurance.enrollment import bank, forms, rules, services
from huimin.insurance.enrollment.models import (
    BankBatch,
    Enrollment,
    EnrollmentPeriod,
    EnrollmentStatus,
    Payment,
)
from huimin.insurance.queries import Page, newest_first
from huimin.policy import check_jurisdiction, jurisdiction_of, requires
from huimin.policy.reads import audit_listing, audit_read
from huimin.registry import queries
from huimin.registry.models import (
    Household,
    HouseholdMembership,
    Person,
    SpecialCategory,
    category_label,
)

LABELS = {
    "amount": "缴费金额",
    "receipt_no": "票据号",
    "reason": "退费原因",
    "year": "参保年度",
    "enrollment_id": "参保登记",
    "person_ids": "成员",
    "Idempotency-Key": "重复提交标识",
    "file": "文件",
    "region_code": "统筹区",
    "opens_on": "开始日期",
    "closes_on": "截止日期",
    "waiting_days": "待遇等待期",
    "individual": "个人缴费标准",
    "subsidy": "财政补助标准",
}
SEARCH_LIMIT = 20


def with_share_labels(periods):
    """Each period's assistance shares as the page says them: 特困人员 1.00；低保对象 0.50."""
    order = list(SpecialCategory.values)  # the categories' own order: jsonb has none
    periods = list(periods)
    for p in periods:
        shares = sorted(
            p.assistance_shares.items(),
            key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]),
        )
        p.shares_label = "；".join(f"{category_label(code)} {share}" for code, share in shares)
    return periods


reads = requires("person.read", "您的角色不能查看参保缴费信息")
writes = requires("registry.write", "您的角色不能办理参保缴费")


def default_year() -> int:
    """The year whose enrollment is under way: the latest period already open, else this."""
    today = timezone.localdate()
    latest = (
        EnrollmentPeriod.objects.filter(opens_on__lte=today)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return latest or today.year


def year_of(form) -> int:
    return (form.cleaned_data.get("year") if form.is_valid() else None) or default_year()


def error_of(exc: DomainError, labels=None) -> dict:
    labels = {**LABELS, **(labels or {})}
    return {
        "message": exc.message,
        "fields": {labels.get(k, k): v for k, v in exc.fields.items()},
    }


def form_error(form) -> dict:
    return {
        "message": "输入有误，请检查后重试",
        "fields": {
            (form.fields[k].label if k in form.fields else k): " ".join(v)
            for k, v in form.errors.items()
        },
    }


def periods_for(user):
    """Periods of the pooling regions the user works in (above or within their jurisdiction)."""
    prefix = jurisdiction_of(user)
    if prefix is None:
        return EnrollmentPeriod.objects.none()
    if prefix == "":
        return EnrollmentPeriod.objects.all()
    above = [prefix[:n] for n in (2, 4, 6, 9, 12) if len(prefix) >= n]
    return EnrollmentPeriod.objects.filter(
        Q(region_code__in=above) | Q(region_code__startswith=prefix)
    )


# ---------------------------------------------------------------- index


@reads
@require_http_methods(["GET", "POST"])
def index(request):
    # The search box posts: an ID number never travels in the URL.
    form = forms.SearchForm(search_data(request))
    year = year_of(form)
    q = (form.cleaned_data.get("q") or "").strip() if form.is_valid() else ""
    households = []
    if q:
        if q.isdigit() and len(q) == 16:
            households = list(
                Household.objects.visible_to(request.user)
                .filter(number=q)
                .select_related("head", "village")
            )
        else:
            people = queries.search_people(Person.objects.visible_to(request.user), q)
            memberships = (
                HouseholdMembership.objects.filter(
                    left_on__isnull=True, person__in=people.values("pk")
                )
                .select_related("household__head", "household__village", "person")
                .order_by("household__number")[:SEARCH_LIMIT]
            )
            seen = {}
            for m in memberships:
                seen.setdefault(m.household_id, m.household)
            households = list(seen.values())
        # Head names and addresses of every household found: the members' data.
        audit_listing(
            request.user,
            model_label="registry.household",
            rows=households,
            query_description=f"参保缴费检索 {year}",
            request=request,
        )
    periods = with_share_labels(periods_for(request.user).order_by("-year", "region_code")[:20])
    return render(
        request,
        "enrollment/index.html",
        {
            "form": form,
            "year": year,
            "q": q,
            "households": households,
            "periods": periods,
            "can_manage": services.can_manage_periods(request.user),
            "can_write": services.can_write(request.user),
        },
    )


# ---------------------------------------------------------------- household


def household_url(household_id: int, year: int) -> str:
    return reverse("enrollment:household", args=[household_id]) + f"?year={year}"


def render_household(request, household, year, *, error=None, failed=None, status=200):
    user = request.user
    members = list(
        HouseholdMembership.objects.filter(household=household, left_on__isnull=True)
        .select_related("person")
        .order_by("relation", "id")
    )
    member_ids = [m.person_id for m in members]
    enrollments = list(
        Enrollment.objects.visible_to(user)
        .filter(year=year)
        .filter(Q(household=household) | Q(person_id__in=member_ids))
        .select_related("person", "period")
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.order_by("-paid_at", "-id"))
        )
        .order_by("-id")
    )
    current = {}
    history = []
    for e in enrollments:
        e.category_label = category_label(e.category)
        if e.status != EnrollmentStatus.CANCELLED and e.person_id not in current:
            current[e.person_id] = e
        else:
            history.append(e)
    today = timezone.localdate()
    # One key per page, suffixed per enrollment: each member's form is its own request
    # (paying a second member from the same page copy is not a reuse of the first's key),
    # while sending the same form twice still replays the first payment.
    page_key = forms.PaymentForm.new_key()
    rows = []
    for m in members:
        e = current.pop(m.person_id, None)
        row = {"membership": m, "person": m.person, "enrollment": e}
        if e is not None and e.status == EnrollmentStatus.OWED:
            row["pay_key"] = f"{page_key}-{e.pk}"
            # The service would refuse every payment: say why instead of offering the form.
            row["pay_closed"] = services.too_late_to_pay(e, today)
        rows.append(row)
    former = list(current.values())  # enrolled with this household, since moved out
    period = services.period_for(household.village_id, year)
    enroll_closed = (
        rules.check_enrollment_date(
            year, period.opens_on, period.closes_on, period.waiting_days, today
        )
        if period
        else None
    )
    audit_read(
        user,
        model_label="registry.household",
        object_id=household.pk,
        person_ids=[*member_ids, *(e.person_id for e in enrollments)],
        region_code=household.village_id,
        fields=["enrollments", "payments"],
        purpose=f"参保缴费 {year}",
        request=request,
    )
    return render(
        request,
        "enrollment/household.html",
        {
            "household": household,
            "year": year,
            "years": [year - 1, year, year + 1],
            "period": period,
            "rows": rows,
            "former": former,
            "history": history,
            "error": error,
            "failed": failed or {},
            "enroll_closed": enroll_closed,
            "can_write": services.can_write(user),
            "today": today,
        },
        status=status,
    )


@reads
@require_GET
def household(request, pk: int):
    household = get_object_or_404(
        Household.objects.visible_to(request.user).select_related("village__parent", "head"),
        pk=pk,
    )
    return render_household(request, household, year_of(forms.YearForm(request.GET)))


def _household_or_404(user, pk):
    return get_object_or_404(
        Household.objects.visible_to(user).select_related("village__parent", "head"), pk=pk
    )


@writes
@require_POST
def enroll(request, pk: int):
    household = _household_or_404(request.user, pk)
    member_ids = list(
        HouseholdMembership.objects.filter(household=household, left_on__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    form = forms.EnrollForm(request.POST, member_ids=member_ids)
    year = year_of(forms.YearForm(request.POST))
    if not form.is_valid():
        return render_household(
            request, household, year, error=form_error(form), failed={"form": "enroll"}, status=422
        )
    # The page always names the members: none ticked is refused, not "everyone".
    chosen = form.cleaned_data["person_ids"]
    try:
        result = services.do_enroll_household(
            request.user, household.pk, form.cleaned_data["year"], chosen, request=request
        )
    except DomainError as exc:
        names = dict(Person.objects.filter(pk__in=chosen).values_list("pk", "name"))
        labels = {f"person_ids[{i}]": f"成员 {names.get(pid, pid)}" for i, pid in enumerate(chosen)}
        return render_household(
            request,
            household,
            year,
            error=error_of(exc, labels),
            failed={"form": "enroll"},
            status=exc.status,
        )
    if result.enrolled:
        messages.success(request, f"已登记 {len(result.enrolled)} 人{year}年度参保")
    for s in result.skipped:
        messages.info(request, f"{s['name']}：{s['reason']}")
    return redirect(household_url(household.pk, year))


def _enrollment_or_404(user, pk) -> Enrollment:
    return get_object_or_404(Enrollment.objects.visible_to(user).select_related("household"), pk=pk)


@writes
@require_POST
def pay(request, pk: int):
    enrollment = _enrollment_or_404(request.user, pk)
    household = _household_or_404(request.user, enrollment.household_id)
    form = forms.PaymentForm(request.POST)
    failed = {"form": "pay", "id": enrollment.pk, "data": request.POST}
    if not form.is_valid():
        return render_household(
            request, household, enrollment.year, error=form_error(form), failed=failed, status=422
        )
    data = form.cleaned_data
    try:
        payment, created = services.do_record_cash_payment(
            request.user,
            enrollment.pk,
            data["amount"],
            data["receipt_no"],
            data["idempotency_key"],
            request=request,
        )
    except DomainError as exc:
        return render_household(
            request,
            household,
            enrollment.year,
            error=error_of(exc),
            failed=failed,
            status=exc.status,
        )
    if created:
        messages.success(
            request,
            f"已收取 {enrollment.person.name} 个人缴费 {payment.amount} 元（票据号 "
            f"{payment.receipt_no}）",
        )
    return redirect(household_url(household.pk, enrollment.year))


@writes
@require_POST
def cancel(request, pk: int):
    enrollment = _enrollment_or_404(request.user, pk)
    household = _household_or_404(request.user, enrollment.household_id)
    try:
        services.do_cancel_enrollment(request.user, enrollment.pk, request=request)
    except DomainError as exc:
        return render_household(
            request, household, enrollment.year, error=error_of(exc), status=exc.status
        )
    messages.success(request, f"已取消 {enrollment.person.name} 的{enrollment.year}年度参保登记")
    return redirect(household_url(household.pk, enrollment.year))


@writes
@require_POST
def refund(request, pk: int):
    payment = get_object_or_404(
        Payment.objects.visible_to(request.user).select_related("enrollment__person"), pk=pk
    )
    enrollment = payment.enrollment
    household = _household_or_404(request.user, enrollment.household_id)
    form = forms.RefundForm(request.POST)
    failed = {"form": "refund", "id": payment.pk, "data": request.POST}
    reason = form.data.get("reason", "")
    try:
        services.do_refund(request.user, payment.pk, reason, request=request)
    except DomainError as exc:
        return render_household(
            request,
            household,
            enrollment.year,
            error=error_of(exc),
            failed=failed,
            status=exc.status,
        )
    messages.success(request, f"已为 {enrollment.person.name} 退费 {payment.amount} 元")
    return redirect(household_url(household.pk, enrollment.year))


# ---------------------------------------------------------------- progress


@reads
@require_GET
def progress(request):
    form = forms.ProgressForm(request.GET)
    year = year_of(form)
    region = (form.cleaned_data.get("region") or "") if form.is_valid() else ""
    prefix = check_jurisdiction(request.user)
    if region and not region.startswith(prefix):
        region = ""  # above the user's jurisdiction: show their own instead
    rows, total = services.progress(request.user, year, region)
    return render(
        request,
        "enrollment/progress.html",
        {
            "form": form,
            "year": year,
            "rows": rows,
            "total": total,
            "region": region or prefix,
            "can_manage": services.can_manage_periods(request.user),
            "drill": len(region or prefix) < 9,  # township rows open their villages
            "up": (region[:6] if len(region) > 6 and len(region) > len(prefix) else ""),
        },
    )


# ---------------------------------------------------------------- bank batches


@reads
@require_http_methods(["GET", "POST"])
def bank_batches(request):
    form = forms.BankUploadForm(initial={"year": default_year()})
    error, status = None, 200
    if request.method == "POST":
        if not services.can_write(request.user):
            raise PermissionDenied("您的角色不能导入银行代收文件")
        form = forms.BankUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > bank.MAX_BYTES:
                error, status = {"message": "文件过大", "fields": {"文件": "不能超过10MB"}}, 422
            else:
                try:
                    batch = bank.do_import_bank_batch(
                        request.user,
                        form.cleaned_data["year"],
                        upload.name,
                        upload.read(),
                        request=request,
                    )
                except DomainError as exc:
                    error, status = error_of(exc), exc.status
                else:
                    messages.success(
                        request,
                        f"已导入：入账 {batch.booked} 笔，已入账 {batch.repeated} 笔，"
                        f"拒绝 {batch.rejected} 行",
                    )
                    return redirect("enrollment:bank_batch", pk=batch.pk)
        else:
            error, status = form_error(form), 422
    page = newest_first(
        BankBatch.objects.visible_to(request.user).select_related("uploaded_by"),
        "uploaded_at",
        "datetime",
        request.GET.get("after", ""),
        settings.HUIMIN_PAGE_SIZE,
    )
    return render(
        request,
        "enrollment/bank_batches.html",
        {
            "form": form,
            "batches": page.rows,
            "page": page,
            "query": "",
            "error": error,
            "can_write": services.can_write(request.user),
            "can_manage": services.can_manage_periods(request.user),
        },
        status=status,
    )


@reads
@require_GET
def bank_batch(request, pk: int):
    batch = get_object_or_404(
        BankBatch.objects.visible_to(request.user).select_related("uploaded_by"), pk=pk
    )
    # In file order, a page at a time (a township's file can hold thousands of rows).
    after = request.GET.get("after", "")
    qs = (
        Payment.objects.visible_to(request.user)
        .filter(bank_batch=batch)
        .select_related("enrollment__person")
        .order_by("id")
    )
    if ascii_digits(after) and len(after) < 19:
        qs = qs.filter(id__gt=int(after))
    size = settings.HUIMIN_PAGE_SIZE
    rows = list(qs[: size + 1])
    page = Page(
        rows=rows[:size],
        next_cursor=str(rows[size - 1].pk) if len(rows) > size else None,
        is_first=not ascii_digits(after),
    )
    audit_listing(
        request.user,
        model_label="enrollment.payment",
        rows=page.rows,
        person_ids=[p.enrollment.person_id for p in page.rows],
        query_description=f"银行代扣批次 {batch.pk}",
        request=request,
    )
    return render(
        request,
        "enrollment/bank_batch.html",
        {"batch": batch, "payments": page.rows, "page": page, "query": ""},
    )


# ---------------------------------------------------------------- periods


@requires("enrollment.manage", "只有县医保经办人员可以管理参保登记期")
@require_http_methods(["GET", "POST"])
def periods(request):
    prefix = check_jurisdiction(request.user)
    initial_year = timezone.localdate().year + 1
    form = forms.PeriodForm(
        initial={
            "region_code": prefix[:6] if len(prefix) >= 6 else "",
            "year": initial_year,
            "opens_on": datetime.date(initial_year - 1, 9, 1),
            "closes_on": datetime.date(initial_year - 1, 12, 31),
            "waiting_days": 90,
        }
    )
    error, status = None, 200
    if request.method == "POST":
        form = forms.PeriodForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                period = services.do_create_period(
                    request.user,
                    services.PeriodData(
                        region_code=data["region_code"],
                        year=data["year"],
                        opens_on=data["opens_on"],
                        closes_on=data["closes_on"],
                        waiting_days=data["waiting_days"],
                        individual=data["individual"] or None,
                        subsidy=data["subsidy"] or None,
                        shares=form.shares(),
                    ),
                    request=request,
                )
            except DomainError as exc:
                error, status = error_of(exc), exc.status
            else:
                messages.success(
                    request, f"已设置 {period.region_code} 的{period.year}年度参保登记期"
                )
                return redirect("enrollment:periods")
        else:
            error, status = form_error(form), 422
    rows = periods_for(request.user).order_by("-year", "region_code")
    return render(
        request,
        "enrollment/periods.html",
        {"form": form, "periods": with_share_labels(rows[:100]), "error": error},
        status=status,
    )


@requires("enrollment.manage", "只有县医保经办人员可以管理参保登记期")
@require_http_methods(["GET", "POST"])
def period_edit(request, pk: int):
    period = get_object_or_404(EnrollmentPeriod, pk=pk)
    services.check_period_manager(request.user, period.region_code)
    form = forms.PeriodEditForm(
        initial={
            "opens_on": period.opens_on,
            "closes_on": period.closes_on,
            "waiting_days": period.waiting_days,
        }
    )
    error, status = None, 200
    if request.method == "POST":
        form = forms.PeriodEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_update_period(
                    request.user,
                    period.pk,
                    data["opens_on"],
                    data["closes_on"],
                    data["waiting_days"],
                    request=request,
                )
            except DomainError as exc:
                error, status = error_of(exc), exc.status
            else:
                messages.success(request, "已保存参保登记期")
                return redirect("enrollment:periods")
        else:
            error, status = form_error(form), 422
    return render(
        request,
        "enrollment/period_edit.html",
        {"form": form, "period": period, "error": error},
        status=status,
    )
