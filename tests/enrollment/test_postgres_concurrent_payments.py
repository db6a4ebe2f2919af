"""Many clerks paying one enrollment at once on PostgreSQL: it is paid exactly once."""

import threading

import pytest
from django.db import connection, connections

from huimin.core.errors import Conflict
from huimin.insurance.enrollment import services
from huimin.insurance.enrollment.models import Payment
from huimin.insurance.ledger import services as ledger
from huimin.insurance.ledger.models import JournalEntry
from tests.enrollment.conftest import YEAR
from tests.enrollment.helpers import at, enroll

pytestmark = pytest.mark.postgres_only

THREADS = 6


def race(fn):
    start = threading.Barrier(THREADS)
    results, errors = [], []

    def run(i):
        try:
            start.wait()
            results.append(fn(i))
        except Conflict as exc:
            results.append(exc)
        except Exception as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_different_keys_pay_once_the_rest_are_refused(reference_data, officer, period, family):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers by itself; the row lock is tested on PostgreSQL")
    father = enroll(officer, family["household"], [family["father"].pk])[family["father"].pk]
    day = at(father.enrolled_on)
    results = race(
        lambda i: services.do_record_cash_payment(
            officer, father.pk, "400.00", f"XS-{i}", f"key-{i}", paid_at=day
        )
    )
    paid = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(paid) == 1 and len(refused) == THREADS - 1
    assert {r.code for r in refused} == {"enrollment_not_owed"}
    assert Payment.objects.count() == 1
    assert JournalEntry.objects.filter(source_type="enrollment.payment").count() == 1
    assert ledger.trial_balance("430522", YEAR)["balanced"]


@pytest.mark.django_db(transaction=True)
def test_the_same_request_retried_at_once_is_one_payment(reference_data, officer, period, family):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers by itself; the row lock is tested on PostgreSQL")
    father = enroll(officer, family["household"], [family["father"].pk])[family["father"].pk]
    day = at(father.enrolled_on)
    results = race(
        lambda i: services.do_record_cash_payment(
            officer, father.pk, "400.00", "XS-1", "same-key", paid_at=day
        )
    )
    assert len({payment.pk for payment, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Payment.objects.count() == 1
