"""Small helpers shared by the enrollment tests: enrolling, paying, counting writes."""

import datetime

from django.utils import timezone

from huimin.audit.models import AuditEvent
from huimin.insurance.enrollment import services
from huimin.insurance.enrollment.models import Enrollment, Payment
from huimin.insurance.ledger.models import JournalEntry, Posting
from tests.enrollment.conftest import IN_PERIOD, YEAR


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def enroll(user, household, person_ids=None, on=IN_PERIOD):
    result = services.do_enroll_household(user, household.pk, YEAR, person_ids, on=on)
    return {e.person_id: e for e in result.enrolled}


def pay_cash(user, enrollment, amount=None, receipt="R0001", key="k-1", day=IN_PERIOD):
    payment, _ = services.do_record_cash_payment(
        user,
        enrollment.pk,
        str(enrollment.personal_due) if amount is None else amount,
        receipt,
        key,
        paid_at=at(day),
    )
    return payment


def writes() -> tuple:
    """Row counts of everything an enrollment operation may write."""
    return (
        Enrollment.objects.count(),
        tuple(Enrollment.objects.order_by("pk").values_list("status", flat=True)),
        Payment.objects.count(),
        tuple(Payment.objects.order_by("pk").values_list("status", flat=True)),
        JournalEntry.objects.count(),
        Posting.objects.count(),
        AuditEvent.objects.count(),
    )
