"""Many simultaneous settlements for one person near a limit never pay past it (PostgreSQL)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from huimin.insurance.ledger.services import trial_balance
from huimin.insurance.models import Accumulator, Settlement
from huimin.insurance.services import fees
from huimin.insurance.services.reversal import do_reverse
from huimin.insurance.services.settlement import do_settle
from huimin.insurance.services.visits import VisitData, do_discharge, do_register_visit

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
THREADS = 8
JUNE_1 = datetime.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL")


def bill(insured, institution, no, visit_type, quantity, price):
    """Register a visit on 1 June with one line of the same drug."""
    do_register_visit(
        institution,
        VisitData(
            id_number=insured.id_number, visit_type=visit_type, his_visit_no=no, visit_date=JUNE_1
        ),
    )
    line = fees.FeeLineData(
        code="XC01EBL134A001010101445", quantity=D(quantity), unit_price=D(price)
    )
    fees.do_upload_fees(institution, no, [line])


def used_already(insured, visit_type, amount):
    Accumulator.objects.create(
        person=insured.person,
        year=2026,
        region_code=insured.person.village_id,
        basic_paid=D(amount),
        basic_paid_by_type={visit_type: amount},
    )


def all_at_once(jobs) -> list[str]:
    """Run the jobs in threads released together; what any of them raised."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # a refusal, or a deadlock (a database error)
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_outpatient_limit_holds_under_concurrency(insured):
    # 普通门诊统筹 at a level-1 centre: 50% of eligible, at most 300.00 a year; 290.00 is
    # used already, so of eight visits of 100.00 (each would pay 50.00) only 10.00 is left.
    used_already(insured, "outpatient_general", "290.00")
    for i in range(THREADS):
        bill(insured, insured.centre, f"MZ{i}", "outpatient_general", "1", "100.00")
    errors = all_at_once(
        [lambda i=i: do_settle(insured.centre, f"MZ{i}", f"key-{i}", {}) for i in range(THREADS)]
    )
    assert errors == []
    paid = [s.basic_fund for s in Settlement.objects.filter(kind="settle")]
    assert len(paid) == THREADS
    assert sum(paid) == D("10.00")
    acc = Accumulator.objects.get(person=insured.person, year=2026)
    assert acc.basic_paid_by_type["outpatient_general"] == "300.00"
    assert acc.basic_paid == D("300.00")
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]


def test_annual_cap_holds_under_concurrency(insured):
    # The plan's basic-fund cap is 150,000.00 a year; 149,900.00 is paid already, so of
    # eight simultaneous discharges at the county hospital (each would pay
    # (728.00 − 200.00 dibao deductible) × 0.85 = 448.80) only 100.00 is left to pay.
    used_already(insured, "inpatient", "149900.00")
    for i in range(THREADS):
        bill(insured, insured.hospital, f"ZY{i}", "inpatient", "20", "36.40")
        do_discharge(insured.hospital, f"ZY{i}", datetime.date(2026, 6, 5))
    errors = all_at_once(
        [lambda i=i: do_settle(insured.hospital, f"ZY{i}", f"key-{i}", {}) for i in range(THREADS)]
    )
    assert errors == []
    settled = list(Settlement.objects.filter(kind="settle"))
    assert len(settled) == THREADS
    assert sum(s.basic_fund for s in settled) == D("100.00")
    # Each patient's bill still adds up, whoever got the last of the cap.
    for s in settled:
        assert s.basic_fund + s.critical_illness + s.assistance + s.patient_pay == s.total
    acc = Accumulator.objects.get(person=insured.person, year=2026)
    assert acc.basic_paid == D("150000.00")
    assert acc.basic_paid_by_type["inpatient"] == "150000.00"
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]


def test_reversals_racing_settlements_leave_exact_accumulators(insured):
    # Four settled visits are reversed while four new ones settle, all at once. After:
    # the year so far is exactly what the four standing settlements added.
    first = []
    for i in range(4):
        bill(insured, insured.centre, f"OLD{i}", "outpatient_general", "1", "20.00")
        first.append(do_settle(insured.centre, f"OLD{i}", f"old-{i}", {})[0])
        bill(insured, insured.centre, f"NEW{i}", "outpatient_general", "1", "20.00")
    errors = all_at_once(
        [lambda s=s: do_reverse(insured.centre, s.pk, f"rev-{s.pk}", "录入错误") for s in first]
        + [lambda i=i: do_settle(insured.centre, f"NEW{i}", f"new-{i}", {}) for i in range(4)]
    )
    assert errors == []
    standing = Settlement.objects.filter(kind="settle", reversed_at__isnull=True)
    assert standing.count() == 4
    acc = Accumulator.objects.get(person=insured.person, year=2026)
    assert acc.basic_paid == sum(s.basic_fund for s in standing)
    assert acc.basic_paid_by_type["outpatient_general"] == str(acc.basic_paid)
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]
