"""Contribution payments (cash) and refunds, each with its fund-ledger entry."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from huimin.audit.services import record
from huimin.core import idempotency
from huimin.core.errors import Conflict, NotFound, ValidationFailed
from huimin.core.money import fmt, parse_amount
from huimin.insurance.enrollment import rules
from huimin.insurance.enrollment.models import (
    Enrollment,
    EnrollmentStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from huimin.insurance.enrollment.services.access import (
    LEDGER_SOURCE,
    locked_enrollment,
)
from huimin.insurance.ledger import rules as ledger_rules
from huimin.insurance.ledger import services as ledger
from huimin.registry.services import check_can_write

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


def book(
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
        enrollment = locked_enrollment(user, enrollment_id)
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
        return book(
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
        from huimin.insurance.services.settlement import check_refundable  # noqa: PLC0415 - settlement imports enrollment.services (via lookup), which imports this module: a cycle

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
