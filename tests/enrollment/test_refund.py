"""A refund needs a reason, reverses the ledger entry and ends the person's cover."""

import datetime
from decimal import Decimal

import pytest

from huimin.core.errors import Conflict, ValidationFailed
from huimin.insurance.enrollment import services
from huimin.insurance.enrollment.models import Enrollment
from huimin.insurance.ledger import services as ledger
from huimin.insurance.ledger.models import JournalEntry
from tests.enrollment.conftest import YEAR
from tests.enrollment.helpers import enroll, pay_cash, writes

D = Decimal


@pytest.fixture
def paid_mother(officer, period, family):
    mother = enroll(officer, family["household"], [family["mother"].pk])[family["mother"].pk]
    return pay_cash(officer, mother, "200.00")


@pytest.mark.parametrize("reason", ["", "   ", "很" * 201])
def test_refund_without_a_proper_reason_is_refused_and_nothing_changes(
    officer, paid_mother, reason
):
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        services.do_refund(officer, paid_mother.pk, reason)
    assert "reason" in exc.value.fields
    assert writes() == before


def test_refund_reverses_the_entry_and_ends_cover(officer, paid_mother, family):
    on = paid_mother.enrollment.benefits_from
    assert services.coverage_on(family["mother"].pk, on) is not None
    refunded = services.do_refund(officer, paid_mother.pk, "已参加职工医保，重复参保")
    assert refunded.status == "refunded" and refunded.refund_reason.startswith("已参加")
    assert refunded.refunded_by == officer and refunded.refunded_at is not None
    refunded.enrollment.refresh_from_db()
    assert refunded.enrollment.status == "refunded"
    assert services.coverage_on(family["mother"].pk, on) is None
    entry = JournalEntry.objects.get(source_id=str(paid_mother.pk), purpose="refund")
    lines = sorted((p.account.code, p.debit, p.credit) for p in entry.postings.all())
    assert lines == [
        ("1101", D("0.00"), D("200.00")),
        ("1202", D("0.00"), D("670.00")),
        ("1203", D("0.00"), D("200.00")),
        ("4101", D("200.00"), D("0.00")),
        ("4102", D("670.00"), D("0.00")),
        ("4103", D("200.00"), D("0.00")),
    ]
    # Paid then refunded: every account is back to nothing.
    assert all(row["balance"] == 0 for row in ledger.balances("430522", YEAR))


def test_a_refunded_payment_cannot_be_refunded_again(officer, paid_mother):
    services.do_refund(officer, paid_mother.pk, "误缴")
    before = writes()
    with pytest.raises(Conflict):
        services.do_refund(officer, paid_mother.pk, "再退一次")
    assert writes() == before


def test_a_refunded_person_may_enroll_again_as_a_late_enrollment(officer, paid_mother, family):
    # Refunded on joining employee insurance, then back (job lost) in February: a new
    # enrollment, late, with the waiting period; the refunded one stays as history.
    services.do_refund(officer, paid_mother.pk, "已参加职工医保，重复参保")
    result = services.do_enroll_household(
        officer, family["household"].pk, YEAR, [family["mother"].pk], on=datetime.date(2026, 2, 10)
    )
    (again,) = result.enrolled
    assert again.person_id == family["mother"].pk and again.late
    pay_cash(officer, again, receipt="R0002", key="k-2", day=datetime.date(2026, 2, 20))
    again.refresh_from_db()
    # 2026-02-20 + 90 waiting days = 2026-05-21.
    assert again.benefits_from == datetime.date(2026, 5, 21)
    assert services.coverage_on(family["mother"].pk, datetime.date(2026, 5, 20)) is None
    assert services.coverage_on(family["mother"].pk, datetime.date(2026, 5, 21)) is not None
    statuses = sorted(
        Enrollment.objects.filter(person=family["mother"], year=YEAR).values_list(
            "status", flat=True
        )
    )
    assert statuses == ["paid", "refunded"]
    # Not a third time while the second stands.
    result = services.do_enroll_household(
        officer, family["household"].pk, YEAR, on=datetime.date(2026, 2, 11)
    )
    assert family["mother"].pk in {s["person_id"] for s in result.skipped}
