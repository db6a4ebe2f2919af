"""Enrollment use cases: periods, household enrollment, payments, refunds, coverage.

`check_*` validate and check access; `do_*` write inside one `transaction.atomic()`,
lock the rows they decide on with `select_for_update()`, post the fund-ledger entry and
write the audit record in the same transaction. Every function takes the acting user.

Coverage — the contract the settlement service calls
-----------------------------------------------------

    coverage_on(person_id: int, on: datetime.date) -> Coverage | None

One query. Returns `Coverage(enrollment_id, year, benefits_from, categories,
person_category)` when the person is insured on `on`: an enrollment for `on.year` whose
contribution is paid (status "paid") and whose `benefits_from <= on`. `categories` are
the special categories in force on `on` (sorted, e.g. ["dibao", "disabled"]);
`person_category` is "tekun" if tekun is among them, else "dibao" if dibao, else
"ordinary" — the engine's `person_category`. None when not insured on that date: not
enrolled, not paid, refunded, cancelled, or before benefits start (a late enrollment's
waiting period). Death is not considered here; the caller checks it.

Ledger entries (pooling region of the period, year of the enrollment), one balanced
fund entry per payment, source ("enrollment.payment", payment id):

    purpose "contribution":  Dr 1101 / Cr 4101  personal part paid
                             Dr 1203 / Cr 4103  share paid by medical assistance
                             Dr 1202 / Cr 4102  government subsidy, per insured person
    purpose "refund":        the same lines with debit and credit swapped
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, FilteredRelation, Q
from django.db.models.functions import Substr
from django.utils import timezone

from huimin.audit.services import record
from huimin.core import idempotency
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.core.money import fmt, parse_amount
from huimin.insurance.enrollment import rules
from huimin.insurance.enrollment.models import (
    Enrollment,
    EnrollmentPeriod,
    EnrollmentStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from huimin.insurance.ledger import rules as ledger_rules
from huimin.insurance.ledger import services as ledger
from huimin.insurance.statements import DATE, INT, Statement
from huimin.policy import check_jurisdiction, check_perm, has_perm, jurisdiction_of
from huimin.registry.models import (
    Household,
    HouseholdMembership,
    Person,
    PersonCategory,
    PersonStatus,
    Region,
)
from huimin.registry.services import check_can_write

PERIOD_PERMISSION = "enrollment.manage"
LEDGER_SOURCE = "enrollment.payment"


def today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------- access


def can_read(user) -> bool:
    return has_perm(user, "person.read")


def can_write(user) -> bool:
    return has_perm(user, "registry.write")


def can_manage_periods(user) -> bool:
    return has_perm(user, PERIOD_PERMISSION)


def check_can_read(user) -> None:
    if not can_read(user):
        raise PermissionDenied("您的角色不能查看参保缴费信息")


def check_period_manager(user, region_code: str) -> None:
    check_perm(
        user,
        PERIOD_PERMISSION,
        region_code,
        message="只有县医保经办人员可以管理参保登记期",
        scope_message="该统筹区不在您的辖区内",
    )


# ---------------------------------------------------------------- periods


def period_for(region_code: str, year: int) -> EnrollmentPeriod | None:
    """The period of the pooling region containing `region_code` (longest prefix wins)."""
    prefixes = sorted({region_code[:n] for n in (2, 4, 6, 9, 12) if len(region_code) >= n})
    candidates = EnrollmentPeriod.objects.filter(region_code__in=prefixes, year=year)
    return max(candidates, key=lambda p: len(p.region_code), default=None)


def plan_contribution(region_code: str, year: int):
    """(Contribution, source) from the region's active plan for the year, or (None, "")."""
    from huimin.insurance import plans  # imported late: plans is another app's module

    row = plans.active_plan_for(region_code, year)
    if row is None:
        return None, ""
    return plans.parsed(row).contribution, f"结算方案：{row.name}"[:120]


@dataclass
class PeriodData:
    region_code: str
    year: int | None
    opens_on: datetime.date | None
    closes_on: datetime.date | None
    waiting_days: int | None = 90
    # Left empty, these are copied from the region's active plan for the year.
    individual: str | None = None
    subsidy: str | None = None
    shares: dict[str, str] = field(default_factory=dict)


@dataclass
class PeriodValues:
    individual: Decimal
    subsidy: Decimal
    shares: dict[str, str]
    source: str


def check_period(user, data: PeriodData) -> PeriodValues:
    check_period_manager(user, data.region_code)
    errors = rules.check_period(
        rules.PeriodInput(
            data.region_code, data.year, data.opens_on, data.closes_on, data.waiting_days
        )
    )
    if (
        "region_code" not in errors
        and not Region.objects.filter(code=data.region_code, level="county").exists()
    ):
        errors["region_code"] = "统筹区代码不存在或不是县级区划"
    individual = rules.read_amount(data.individual, "individual", errors, "个人缴费标准")
    subsidy = rules.read_amount(data.subsidy, "subsidy", errors, "财政补助标准")
    shares = {}
    for code, raw in (data.shares or {}).items():
        share = rules.read_share(raw, f"shares.{code}", errors, "医疗救助资助比例")
        if share is not None:
            shares[code] = share
    source = "经办人员录入"
    if individual is None or subsidy is None:
        contribution, plan_source = (None, "")
        if "year" not in errors and "region_code" not in errors:
            contribution, plan_source = plan_contribution(data.region_code, data.year)
        if contribution is None:
            missing = "该统筹区当年没有含缴费标准的生效结算方案，请填写"
            if individual is None:
                errors.setdefault("individual", missing + "个人缴费标准")
            if subsidy is None:
                errors.setdefault("subsidy", missing + "财政补助标准")
        else:
            individual = contribution.individual if individual is None else individual
            subsidy = contribution.subsidy if subsidy is None else subsidy
            shares = {**contribution.individual_paid_by_assistance, **shares}
            source = plan_source
    if errors:
        raise ValidationFailed(errors)
    return PeriodValues(individual, subsidy, {k: str(v) for k, v in shares.items()}, source)


def do_create_period(user, data: PeriodData, *, request=None) -> EnrollmentPeriod:
    values = check_period(user, data)
    try:
        with transaction.atomic():
            period = EnrollmentPeriod.objects.create(
                region_code=data.region_code,
                year=data.year,
                opens_on=data.opens_on,
                closes_on=data.closes_on,
                waiting_days=data.waiting_days,
                individual=values.individual,
                subsidy=values.subsidy,
                assistance_shares=values.shares,
                source=values.source,
                created_by=user,
            )
            record(
                action="create",
                object_type="enrollment.period",
                object_id=str(period.pk),
                region_code=period.region_code,
                fields=["opens_on", "closes_on", "waiting_days", "individual", "subsidy"],
                actor=user,
                request=request,
            )
            return period
    except IntegrityError:
        raise Conflict(
            "period_exists",
            f"{data.region_code} 的{data.year}年度参保登记期已存在，请修改原记录",
            {"year": "该年度已设置参保登记期"},
        ) from None


def do_update_period(
    user,
    period_id: int,
    opens_on: datetime.date | None,
    closes_on: datetime.date | None,
    waiting_days: int | None,
    *,
    request=None,
) -> EnrollmentPeriod:
    """Dates and waiting period only: amounts are fixed once people owe them."""
    with transaction.atomic():
        period = EnrollmentPeriod.objects.select_for_update().filter(pk=period_id).first()
        if period is None or jurisdiction_of(user) is None:
            raise NotFound("参保登记期")
        check_period_manager(user, period.region_code)
        errors = rules.check_period(
            rules.PeriodInput(period.region_code, period.year, opens_on, closes_on, waiting_days)
        )
        if errors:
            raise ValidationFailed(errors)
        changes = {
            name: [str(getattr(period, name)), str(value)]
            for name, value in (
                ("opens_on", opens_on),
                ("closes_on", closes_on),
                ("waiting_days", waiting_days),
            )
            if getattr(period, name) != value
        }
        period.opens_on, period.closes_on, period.waiting_days = opens_on, closes_on, waiting_days
        period.save(update_fields=["opens_on", "closes_on", "waiting_days", "updated_at"])
        record(
            action="update",
            object_type="enrollment.period",
            object_id=str(period.pk),
            region_code=period.region_code,
            changes=changes,
            actor=user,
            request=request,
        )
        return period


# ---------------------------------------------------------------- enrollment


def get_household(user, household_id: int) -> Household:
    household = (
        Household.objects.visible_to(user).select_related("village").filter(pk=household_id).first()
    )
    if household is None:
        raise NotFound("家庭户")
    return household


def categories_in_force(person_ids, on: datetime.date) -> dict[int, list[str]]:
    rows = PersonCategory.objects.filter(person_id__in=list(person_ids), valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    out: dict[int, list[str]] = {}
    for person_id, category in rows.values_list("person_id", "category"):
        out.setdefault(person_id, []).append(category)
    return out


@dataclass
class EnrollResult:
    enrolled: list[Enrollment]
    skipped: list[dict]  # {"person_id", "name", "reason"}


def _skip(person: Person, reason: str) -> dict:
    return {"person_id": person.pk, "name": person.name, "reason": reason}


def _refusal(person: Person) -> str | None:
    if person.status == PersonStatus.MERGED:
        return "该居民记录已被合并，请为保留的记录登记参保"
    if person.death_date is not None:
        return f"该居民已于{person.death_date:%Y-%m-%d}死亡，不能参保"
    return None


def do_enroll_household(
    user,
    household_id: int,
    year: int,
    person_ids: list[int] | None = None,
    *,
    on: datetime.date | None = None,
    request=None,
) -> EnrollResult:
    """Enroll a household's current members for `year`.

    With `person_ids`, exactly those members: a deceased, merged or non-member person is
    refused with an error naming `person_ids[i]`, and nothing is written. Without, every
    current member: the deceased and merged are listed as skipped. Members already
    enrolled for the year are skipped in both cases.
    """
    on = on or today()
    try:
        with transaction.atomic():
            household = get_household(user, household_id)
            check_can_write(user, household.village_id)
            # One enrollment at a time per household: a double click waits, then skips.
            Household.objects.select_for_update().filter(pk=household.pk).first()
            period = period_for(household.village_id, year)
            if period is None:
                raise ValidationFailed(
                    {"year": f"{year}年度尚未设置参保登记期"}, code="no_enrollment_period"
                )
            problem = rules.check_enrollment_date(
                year, period.opens_on, period.closes_on, period.waiting_days, on
            )
            if problem:
                raise ValidationFailed({"year": problem}, code="enrollment_not_open")
            members = {
                m.person_id: m.person
                for m in HouseholdMembership.objects.filter(
                    household=household, left_on__isnull=True
                ).select_related("person")
            }
            skipped, chosen, errors = [], [], {}
            if person_ids is None:
                for person in sorted(members.values(), key=lambda p: p.pk):
                    reason = _refusal(person)
                    if reason:
                        skipped.append(_skip(person, reason))
                    else:
                        chosen.append(person)
            else:
                for i, pid in enumerate(person_ids):
                    person = members.get(pid)
                    reason = "不是本户现有成员" if person is None else _refusal(person)
                    if reason:
                        errors[f"person_ids[{i}]"] = reason
                    elif person not in chosen:
                        chosen.append(person)
                if not person_ids:
                    errors["person_ids"] = "请至少选择一名成员"
            if errors:
                raise ValidationFailed(errors, code="enroll_refused")
            enrolled_already = set(
                Enrollment.objects.filter(person_id__in=[p.pk for p in chosen], year=year)
                .exclude(status__in=[EnrollmentStatus.CANCELLED, EnrollmentStatus.REFUNDED])
                .values_list("person_id", flat=True)
            )
            for person in chosen:
                if person.pk in enrolled_already:
                    skipped.append(_skip(person, f"已登记{year}年度参保"))
            todo = [p for p in chosen if p.pk not in enrolled_already]
            enrolled = _create_enrollments(user, household, period, todo, on, request)
            return EnrollResult(enrolled=enrolled, skipped=skipped)
    except IntegrityError:
        # Another request enrolled one of these people between our check and insert.
        raise Conflict("already_enrolled", "成员已登记当年参保，请刷新后重试") from None


def _create_enrollments(user, household, period, people, on, request) -> list[Enrollment]:
    shares = rules.parse_shares(period.assistance_shares)
    categories = categories_in_force([p.pk for p in people], on)
    late = rules.is_late(period.closes_on, on)
    out = []
    for person in people:
        due = rules.contribution_due(
            period.individual, period.subsidy, shares, categories.get(person.pk, [])
        )
        enrollment = Enrollment.objects.create(
            period=period,
            person=person,
            household=household,
            year=period.year,
            region_code=person.village_id,
            individual_due=due.individual_due,
            assistance_share=due.assistance_share,
            personal_due=due.personal_due,
            subsidy=due.subsidy,
            category=due.category,
            enrolled_on=on,
            late=late,
            benefits_from=rules.benefits_start(period.year, late, on, period.waiting_days),
            enrolled_by=user,
        )
        enrollment.period = period
        record(
            action="create",
            object_type="enrollment.enrollment",
            object_id=str(enrollment.pk),
            region_code=enrollment.region_code,
            fields=["person", "year", "personal_due", "assistance_share", "subsidy"],
            actor=user,
            request=request,
        )
        if due.personal_due == 0:
            # Nothing to collect: medical assistance pays it all, so it is paid now.
            _book(
                enrollment,
                amount=Decimal("0.00"),
                method=PaymentMethod.ASSISTANCE,
                paid_at=_moment(on),
                key=f"assistance:{enrollment.pk}",
                body_hash=rules.request_hash({"enrollment_id": enrollment.pk}),
                user=user,
                request=request,
            )
        out.append(enrollment)
    return out


def _moment(on: datetime.date) -> datetime.datetime:
    """Now, or noon of `on` when acting for another day (back-office entry, seed, tests)."""
    now = timezone.now()
    if timezone.localdate(now) == on:
        return now
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(12, 0)))


def do_cancel_enrollment(user, enrollment_id: int, *, request=None) -> Enrollment:
    with transaction.atomic():
        enrollment = _locked_enrollment(user, enrollment_id)
        if enrollment.status != EnrollmentStatus.OWED:
            raise Conflict(
                "enrollment_not_owed",
                f"只能取消待缴费的参保登记，该登记{enrollment.get_status_display()}",
            )
        enrollment.status = EnrollmentStatus.CANCELLED
        enrollment.cancelled_at = timezone.now()
        enrollment.save(update_fields=["status", "cancelled_at"])
        record(
            action="update",
            object_type="enrollment.enrollment",
            object_id=str(enrollment.pk),
            region_code=enrollment.region_code,
            changes={"status": [EnrollmentStatus.OWED.value, EnrollmentStatus.CANCELLED.value]},
            actor=user,
            request=request,
        )
        return enrollment


def _locked_enrollment(user, enrollment_id: int) -> Enrollment:
    """The enrollment, visible to the user, locked; NotFound otherwise. Checks writing."""
    visible = Enrollment.objects.visible_to(user).filter(pk=enrollment_id)
    if not visible.exists():
        raise NotFound("参保登记")
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("period", "person")
        .get(pk=enrollment_id)
    )
    check_can_write(user, enrollment.region_code)
    return enrollment


# ---------------------------------------------------------------- payments


def _contribution_lines(enrollment: Enrollment, personal: Decimal, refund: bool):
    L = ledger_rules.Line

    def pair(asset: str, income: str, amount: Decimal):
        if refund:
            return L(income, debit=amount), L(asset, credit=amount)
        return L(asset, debit=amount), L(income, credit=amount)

    return ledger_rules.nonzero(
        *pair("1101", "4101", personal),
        *pair("1203", "4103", enrollment.assistance_share),
        *pair("1202", "4102", enrollment.subsidy),
    )


def _post(enrollment: Enrollment, payment: Payment, *, refund: bool) -> None:
    lines = _contribution_lines(enrollment, payment.amount, refund)
    if not lines:
        return  # a plan with no contribution at all: nothing moves
    label = "退费" if refund else "参保缴费"
    ledger.post(
        region_code=payment.pool_code,
        year=payment.year,
        source_type=LEDGER_SOURCE,
        source_id=payment.pk,
        purpose="refund" if refund else "contribution",
        memo=f"{payment.year}年度{label} 参保登记{enrollment.pk}",
        lines=lines,
    )


def _book(
    enrollment: Enrollment,
    *,
    amount: Decimal,
    method: str,
    paid_at: datetime.datetime,
    key: str,
    body_hash: str,
    user=None,
    receipt_no: str = "",
    bank_txn_no: str = "",
    bank_batch=None,
    request=None,
    audit: bool = True,
) -> Payment:
    """Record a payment for a locked, owed enrollment: it becomes paid, the ledger books it."""
    period = enrollment.period
    paid_on = timezone.localdate(paid_at)
    late = enrollment.late or rules.is_late(period.closes_on, enrollment.enrolled_on, paid_on)
    payment = Payment.objects.create(
        enrollment=enrollment,
        region_code=enrollment.region_code,
        pool_code=period.region_code,
        year=enrollment.year,
        amount=amount,
        method=method,
        receipt_no=receipt_no,
        bank_batch=bank_batch,
        bank_txn_no=bank_txn_no,
        paid_at=paid_at,
        idempotency_key=key,
        request_hash=body_hash,
        recorded_by=user if user is not None and user.is_authenticated else None,
    )
    old_status = enrollment.status
    enrollment.status = EnrollmentStatus.PAID
    enrollment.paid_at = paid_at
    enrollment.late = late
    enrollment.benefits_from = rules.benefits_start(
        enrollment.year, late, paid_on, period.waiting_days
    )
    enrollment.save(update_fields=["status", "paid_at", "late", "benefits_from"])
    _post(enrollment, payment, refund=False)
    if audit:
        record(
            action="create",
            object_type="enrollment.payment",
            object_id=str(payment.pk),
            region_code=enrollment.region_code,
            fields=["amount", "method", "receipt_no", "bank_txn_no"],
            changes={"enrollment.status": [old_status, EnrollmentStatus.PAID.value]},
            actor=user,
            request=request,
        )
    return payment


def too_late_to_pay(enrollment: Enrollment, paid_on: datetime.date) -> str | None:
    period = enrollment.period
    late = enrollment.late or rules.is_late(period.closes_on, enrollment.enrolled_on, paid_on)
    return rules.check_benefits_in_year(enrollment.year, late, paid_on, period.waiting_days)


def _amount_text(raw) -> str:
    try:
        return fmt(parse_amount(raw, "amount"))
    except (ValueError, TypeError):
        return str(raw)


def do_record_cash_payment(
    user,
    enrollment_id: int,
    amount,
    receipt_no: str,
    idempotency_key: str,
    *,
    paid_at: datetime.datetime | None = None,
    request=None,
) -> tuple[Payment, bool]:
    """A cash payment at the township agency. Returns (payment, created).

    Once per (clerk, Idempotency-Key) through huimin.core.idempotency: the same key with
    the same body returns the first payment (created False), also to a retry racing the
    first; the same key with another body is a 409 `idempotency_key_reuse`.
    """
    receipt_no = (receipt_no or "").strip()
    paid_at = paid_at or timezone.now()
    body = {
        "enrollment_id": enrollment_id,
        "amount": _amount_text(amount),
        "method": PaymentMethod.CASH.value,
        "receipt_no": receipt_no,
    }
    # The payment row keeps the key (unique), so a replay reads it back by key.
    row_key = f"cash:{user.pk}:{idempotency_key}"

    def pay() -> Payment:
        enrollment = _locked_enrollment(user, enrollment_id)
        if enrollment.status != EnrollmentStatus.OWED:
            raise Conflict(
                "enrollment_not_owed",
                f"该参保登记{enrollment.get_status_display()}，不能再缴费",
                {"enrollment_id": enrollment.get_status_display()},
            )
        errors = rules.check_cash_payment(amount, receipt_no, enrollment.personal_due)
        code = "payment_invalid"
        too_late = too_late_to_pay(enrollment, timezone.localdate(paid_at))
        if too_late:
            errors["enrollment_id"] = too_late
            code = "benefits_after_year"
        if "receipt_no" not in errors and _receipt_used(enrollment, receipt_no):
            errors["receipt_no"] = f"票据号{receipt_no}已使用"
            code = "duplicate_receipt_no"
        if errors:
            raise ValidationFailed(errors, code=code)
        return _book(
            enrollment,
            amount=parse_amount(amount, "amount"),
            method=PaymentMethod.CASH,
            paid_at=paid_at,
            key=row_key,
            body_hash=idempotency.request_hash("cash_payment", body),
            user=user,
            receipt_no=receipt_no,
            request=request,
        )

    try:
        payment, replayed = idempotency.run_once(
            f"user:{user.pk}",
            idempotency_key,
            "cash_payment",
            body,
            pay,
            answer=None,
            replay=lambda _answer: Payment.objects.get(idempotency_key=row_key),
        )
    except IntegrityError:
        # A concurrent request committed the same receipt number first.
        raise ValidationFailed(
            {"receipt_no": f"票据号{receipt_no}已使用"}, code="duplicate_receipt_no"
        ) from None
    return payment, not replayed


def _receipt_used(enrollment: Enrollment, receipt_no: str) -> bool:
    return Payment.objects.filter(
        pool_code=enrollment.period.region_code, year=enrollment.year, receipt_no=receipt_no
    ).exists()


def do_refund(user, payment_id: int, reason: str, *, request=None) -> Payment:
    """Refund a standing payment: reversing ledger entry; the person is no longer insured."""
    with transaction.atomic():
        if not Payment.objects.visible_to(user).filter(pk=payment_id).exists():
            raise NotFound("缴费记录")
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        check_can_write(user, payment.region_code)
        reason, problem = rules.refund_reason(reason)
        if problem:
            raise ValidationFailed({"reason": problem}, code="refund_reason_required")
        if payment.status != PaymentStatus.PAID:
            raise Conflict("payment_refunded", "该笔缴费已退费")
        enrollment = Enrollment.objects.select_for_update().get(pk=payment.enrollment_id)
        # Settlement sits above enrollment (it reads coverage): imported where used.
        from huimin.insurance.services import check_refundable

        check_refundable(enrollment.person_id, enrollment.region_code, enrollment.year)
        payment.status = PaymentStatus.REFUNDED
        payment.refund_reason = reason
        payment.refunded_by = user
        payment.refunded_at = timezone.now()
        payment.save(update_fields=["status", "refund_reason", "refunded_by", "refunded_at"])
        enrollment.status = EnrollmentStatus.REFUNDED
        enrollment.save(update_fields=["status"])
        _post(enrollment, payment, refund=True)
        record(
            action="update",
            object_type="enrollment.payment",
            object_id=str(payment.pk),
            region_code=payment.region_code,
            changes={"status": [PaymentStatus.PAID.value, PaymentStatus.REFUNDED.value]},
            purpose=f"退费：{reason}",
            actor=user,
            request=request,
        )
        return payment


# ---------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Coverage:
    enrollment_id: int
    year: int
    benefits_from: datetime.date
    categories: list[str]
    person_category: str


def _coverage_rows(person, year, on):
    in_force = Q(person__categories__valid_from__lte=on) & (
        Q(person__categories__valid_to__isnull=True) | Q(person__categories__valid_to__gte=on)
    )
    return (
        Enrollment.objects.filter(
            person_id=person,
            year=year,
            status=EnrollmentStatus.PAID,
            benefits_from__lte=on,
        )
        .annotate(in_force=FilteredRelation("person__categories", condition=in_force))
        .values_list("pk", "year", "benefits_from", "in_force__category")
    )


# Every settlement transaction asks this: compiled once (insurance/statements.py).
_COVERAGE = Statement(_coverage_rows, person=INT, year=INT, on=DATE)


def coverage_on(person_id: int, on: datetime.date) -> Coverage | None:
    """Is the person insured on `on`? One query (see the module docstring)."""
    rows = _COVERAGE.tuples(person=person_id, year=on.year, on=on)
    if not rows:
        return None
    enrollment_id, year, benefits_from, _ = rows[0]
    categories = sorted({row[3] for row in rows if row[3]})
    return Coverage(
        enrollment_id=enrollment_id,
        year=year,
        benefits_from=benefits_from,
        categories=categories,
        person_category=rules.person_category(categories),
    )


def check_coverage_lookup(user, person_id: int) -> Person:
    check_can_read(user)
    person = Person.objects.visible_to(user).filter(pk=person_id).first()
    if person is None:
        raise NotFound("居民")
    return person


# ---------------------------------------------------------------- progress


@dataclass
class ProgressRow:
    code: str
    name: str
    residents: int
    enrolled: int  # owed or paid
    insured: int  # paid
    rate: Decimal | None


def progress(user, year: int, region: str = "") -> tuple[list[ProgressRow], ProgressRow]:
    """参保率 by the level below `region` (townships of a county, villages of a township).

    residents = unmerged people of those villages living on the year's reference date
    (rules.reference_date); enrolled and insured (paid) count those residents' enrollments
    for the year, so the rate never counts someone the denominator does not. One GROUP BY
    query, whatever the number of villages.
    """
    check_can_read(user)
    region = region or check_jurisdiction(user)
    # The child level: villages under a township (9 digits), townships under the rest.
    length = 12 if len(region) >= 9 else 9
    on = rules.reference_date(year)
    people = Person.objects.visible_to(user).filter(
        Q(death_date__isnull=True) | Q(death_date__gte=on),
        status=PersonStatus.ACTIVE,
        birth_date__lte=on,
    )
    if region:
        people = people.within(region)
    counts = (
        people.annotate(
            e=FilteredRelation(
                "enrollments",
                condition=Q(
                    enrollments__year=year,
                    enrollments__status__in=[EnrollmentStatus.OWED, EnrollmentStatus.PAID],
                ),
            ),
            child=Substr("village_id", 1, length),
        )
        .values("child")
        .annotate(
            residents=Count("id"),
            enrolled=Count("e__id"),
            insured=Count("e__id", filter=Q(e__status=EnrollmentStatus.PAID)),
        )
        .order_by("child")
    )
    counts = list(counts)
    names = dict(
        Region.objects.filter(code__in=[c["child"] for c in counts]).values_list("code", "name")
    )
    rows = [
        ProgressRow(
            code=c["child"],
            name=names.get(c["child"], ""),
            residents=c["residents"],
            enrolled=c["enrolled"],
            insured=c["insured"],
            rate=rules.rate(c["insured"], c["residents"]),
        )
        for c in counts
    ]
    residents = sum(r.residents for r in rows)
    insured = sum(r.insured for r in rows)
    total = ProgressRow(
        code=region,
        name=Region.objects.filter(code=region).values_list("name", flat=True).first() or "合计",
        residents=residents,
        enrolled=sum(r.enrolled for r in rows),
        insured=insured,
        rate=rules.rate(insured, residents),
    )
    return rows, total
