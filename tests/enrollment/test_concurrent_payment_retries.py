"""Sixteen identical cash-payment retries at once (same clerk, key and body): one
payment, fifteen replays of it — on PostgreSQL, and on SQLite through
tests/insurance/test_concurrent_retries_sqlite.py (a file database).

Before core/idempotency.py a retry checked for the first payment only after taking the
enrollment's lock; the record is now claimed first, as for the institution writes."""

import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connections

from huimin.insurance.enrollment import services
from huimin.insurance.enrollment.models import Payment
from huimin.insurance.ledger import services as ledger
from huimin.insurance.ledger.models import JournalEntry
from tests.enrollment.conftest import YEAR
from tests.enrollment.helpers import at, enroll

RETRIES = 16


@pytest.fixture(autouse=True)
def real_concurrency():
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and not db.get("TEST", {}).get("NAME"):
        pytest.skip("in-memory SQLite refuses a waiting writer; see the _sqlite runner")


@pytest.mark.django_db(transaction=True)
def test_sixteen_identical_payments_pay_once(reference_data, officer, period, family):
    father = enroll(officer, family["household"], [family["father"].pk])[family["father"].pk]
    day = at(father.enrolled_on)
    barrier = threading.Barrier(RETRIES)
    results, errors = [], []

    def pay():
        try:
            barrier.wait()
            results.append(
                services.do_record_cash_payment(
                    officer, father.pk, "400.00", "XS-1", "same-key", paid_at=day
                )
            )
        except Exception as exc:  # a refusal or "database is locked" fails the test
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay) for _ in range(RETRIES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    # The API answers 201 for the one created, 200 for each replay.
    assert sorted(created for _, created in results) == [False] * (RETRIES - 1) + [True]
    assert len({payment.pk for payment, _ in results}) == 1
    (payment,) = Payment.objects.all()
    assert payment.amount == Decimal("400.00")
    assert JournalEntry.objects.filter(source_type="enrollment.payment").count() == 1
    assert ledger.trial_balance("430522", YEAR)["balanced"]
