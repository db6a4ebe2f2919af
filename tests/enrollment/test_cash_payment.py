"""A cash payment at the township agency pays the personal due and books the ledger."""

from decimal import Decimal

import pytest

from huimin.core.errors import Conflict, NotFound, ValidationFailed
from huimin.insurance.enrollment import services
from huimin.insurance.ledger.models import JournalEntry
from tests import factories
from tests.enrollment.helpers import at, enroll, pay_cash, writes

D = Decimal


def postings(entry):
    return sorted((p.account.code, p.debit, p.credit) for p in entry.postings.all())


def test_paying_the_dibao_due_books_three_pairs(officer, period, family):
    mother = enroll(officer, family["household"])[family["mother"].pk]
    payment = pay_cash(officer, mother, "200.00", receipt="XS2026-0001")
    mother.refresh_from_db()
    assert mother.status == "paid" and mother.paid_at == payment.paid_at
    assert (payment.amount, payment.method, payment.receipt_no) == (
        D("200.00"),
        "cash",
        "XS2026-0001",
    )
    entry = JournalEntry.objects.get(source_type="enrollment.payment", source_id=str(payment.pk))
    assert (entry.region_code, entry.year, entry.purpose) == ("430522", 2026, "contribution")
    # Personal 200.00 to the bank; assistance 200.00 and subsidy 670.00 receivable.
    assert postings(entry) == [
        ("1101", D("200.00"), D("0.00")),
        ("1202", D("670.00"), D("0.00")),
        ("1203", D("200.00"), D("0.00")),
        ("4101", D("0.00"), D("200.00")),
        ("4102", D("0.00"), D("670.00")),
        ("4103", D("0.00"), D("200.00")),
    ]


@pytest.mark.parametrize("amount", ["199.99", "400.00", "200.001", "-200.00", "abc", ""])
def test_wrong_amount_is_refused_and_nothing_written(officer, period, family, amount):
    mother = enroll(officer, family["household"])[family["mother"].pk]
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        pay_cash(officer, mother, amount)
    assert "amount" in exc.value.fields
    assert writes() == before


def test_missing_receipt_number_is_refused(officer, period, family):
    father = enroll(officer, family["household"])[family["father"].pk]
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        pay_cash(officer, father, receipt="  ")
    assert "receipt_no" in exc.value.fields
    assert writes() == before


def test_duplicate_receipt_number_is_refused_and_nothing_written(officer, period, family):
    enrolled = enroll(officer, family["household"])
    pay_cash(officer, enrolled[family["father"].pk], receipt="XS-7", key="a")
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        pay_cash(officer, enrolled[family["mother"].pk], receipt="XS-7", key="b")
    assert exc.value.code == "duplicate_receipt_no" and "receipt_no" in exc.value.fields
    assert writes() == before


def test_retry_with_the_same_key_returns_the_first_payment(officer, period, family):
    father = enroll(officer, family["household"])[family["father"].pk]
    first, created = services.do_record_cash_payment(
        officer, father.pk, "400.00", "XS-1", "key-1", paid_at=at(father.enrolled_on)
    )
    before = writes()
    # "400" is the same amount as "400.00": the retry is the same request.
    again, created_again = services.do_record_cash_payment(
        officer, father.pk, "400", "XS-1", "key-1", paid_at=at(father.enrolled_on)
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert writes() == before


def test_same_key_with_another_body_is_a_409(officer, period, family):
    enrolled = enroll(officer, family["household"])
    father, mother = enrolled[family["father"].pk], enrolled[family["mother"].pk]
    day = at(father.enrolled_on)
    services.do_record_cash_payment(officer, father.pk, "400.00", "XS-1", "key-1", paid_at=day)
    before = writes()
    with pytest.raises(Conflict) as exc:
        services.do_record_cash_payment(officer, mother.pk, "200.00", "XS-2", "key-1", paid_at=day)
    assert exc.value.code == "idempotency_key_reuse" and exc.value.status == 409
    assert writes() == before


def test_a_paid_enrollment_cannot_be_paid_again(officer, period, family):
    father = enroll(officer, family["household"])[family["father"].pk]
    pay_cash(officer, father, key="a", receipt="XS-1")
    before = writes()
    with pytest.raises(Conflict) as exc:
        pay_cash(officer, father, key="b", receipt="XS-2")
    assert exc.value.code == "enrollment_not_owed"
    assert writes() == before


def test_clerk_of_another_township_cannot_see_or_pay(officer, period, family):
    father = enroll(officer, family["household"])[family["father"].pk]
    # 严塘镇 clerk; the family lives in 酿溪镇.
    other = factories.make_staff("clerk2", "township_clerk", factories.TOWNSHIPS[1])
    before = writes()
    with pytest.raises(NotFound):
        pay_cash(other, father)
    assert writes() == before


def test_a_reader_without_write_permission_is_refused(officer, period, family):
    from huimin.core.errors import PermissionDenied

    father = enroll(officer, family["household"])[family["father"].pk]
    doctor = factories.make_staff(
        "doc", "doctor", factories.COUNTY, institution=factories.make_institution()
    )
    before = writes()
    with pytest.raises(PermissionDenied):
        pay_cash(doctor, father)
    assert writes() == before
