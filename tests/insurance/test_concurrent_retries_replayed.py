"""Sixteen identical retries at once (same Idempotency-Key, same body): one does the
write, fifteen get its answer back — on PostgreSQL, and on SQLite through
test_concurrent_retries_sqlite.py (a file database: see tests/conftest.py).

Before core/idempotency.py, the replay check ran before the visit lock: a retry that
arrived while the first was running waited on the visit, found it settled and answered
409 `visit_settled` (8 concurrent settles: one 201, four 200, three 409). Now the
idempotency record is claimed first, so a waiter finds the first answer.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connections

from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.ledger.services import trial_balance
from huimin.insurance.models import Accumulator, FeeDetail, Settlement
from huimin.insurance.services import fees
from huimin.insurance.services.reversal import do_reverse
from huimin.insurance.services.settlement import do_settle
from huimin.insurance.services.visits import VisitData, do_register_visit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def real_concurrency():
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and not db.get("TEST", {}).get("NAME"):
        pytest.skip("in-memory SQLite refuses a waiting writer; see the _sqlite runner")


D = Decimal
RETRIES = 16
JUNE_1 = datetime.date(2026, 6, 1)
DRUG = "XC01EBL134A001010101445"


def at_once(job) -> list:
    """Run `job` in RETRIES threads released together; each one's result. Any exception
    (a refusal, "database is locked", a deadlock) fails the test."""
    barrier = threading.Barrier(RETRIES)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(job())
        except Exception as exc:  # a thread's exception is otherwise lost
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(RETRIES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(results) == RETRIES
    return results


def one_first_the_rest_replayed(results) -> None:
    # The API answers 201 for the one that wrote and 200 for each replay.
    assert sorted(replayed for _, replayed in results) == [False] + [True] * (RETRIES - 1)


def register(insured, no="MZ-R"):
    do_register_visit(
        insured.centre,
        VisitData(
            id_number=insured.id_number,
            visit_type="outpatient_general",
            his_visit_no=no,
            visit_date=JUNE_1,
        ),
    )


def line():
    return fees.FeeLineData(code=DRUG, quantity=D("1"), unit_price=D("100.00"))


def test_sixteen_identical_fee_uploads_bill_the_line_once(insured):
    register(insured)
    results = at_once(
        lambda: fees.upload_fees_once(insured.centre, "MZ-R", [line()], "upload-MZ-R")
    )
    one_first_the_rest_replayed(results)
    # Every answer names the same one line.
    assert {tuple(r.pk for r in rows) for rows, _ in results} == {
        tuple(FeeDetail.objects.values_list("pk", flat=True))
    }
    assert FeeDetail.objects.count() == 1


def test_sixteen_identical_settles_settle_once(insured):
    register(insured)
    fees.do_upload_fees(insured.centre, "MZ-R", [line()])
    results = at_once(lambda: do_settle(insured.centre, "MZ-R", "settle-MZ-R", {}))
    one_first_the_rest_replayed(results)
    assert len({s.pk for s, _ in results}) == 1
    # Class A, no ceiling: 100.00 eligible. 普通门诊统筹 at a level-1 centre, no
    # deductible, 50% + 5% for a dibao member: 55.00; assistance (100.00 − 55.00) × 0.70
    # = 31.50; the patient 13.50. Once.
    (settled,) = Settlement.objects.all()
    assert (settled.basic_fund, settled.assistance, settled.patient_pay) == (
        D("55.00"),
        D("31.50"),
        D("13.50"),
    )
    acc = Accumulator.objects.get(person=insured.person, year=2026)
    assert acc.basic_paid == D("55.00") and acc.assistance_paid == D("31.50")
    assert JournalEntry.objects.filter(source_type="settlement").count() == 1
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]


def test_sixteen_identical_reversals_reverse_once(insured):
    register(insured)
    fees.do_upload_fees(insured.centre, "MZ-R", [line()])
    original, _ = do_settle(insured.centre, "MZ-R", "settle-MZ-R", {})
    results = at_once(lambda: do_reverse(insured.centre, original.pk, "reverse-MZ-R", "录入错误"))
    one_first_the_rest_replayed(results)
    assert len({s.pk for s, _ in results}) == 1
    assert Settlement.objects.filter(kind="reversal").count() == 1
    # The year is back where it was, not below it.
    acc = Accumulator.objects.get(person=insured.person, year=2026)
    assert acc.basic_paid == D("0.00") and acc.assistance_paid == D("0.00")
    assert JournalEntry.objects.filter(source_type="settlement").count() == 2
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]
