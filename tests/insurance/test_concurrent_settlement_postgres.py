"""Many simultaneous settlements for one person near a limit never pay past it (PostgreSQL)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from huimin.core.errors import DomainError
from huimin.insurance import fees, services
from huimin.insurance.ledger.services import trial_balance
from huimin.insurance.models import Accumulator, Settlement

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
THREADS = 8


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL")


def test_outpatient_limit_holds_under_concurrency(insured):
    # 普通门诊统筹 at a level-1 centre: 50% of eligible, at most 300.00 a year; 290.00 is
    # used already, so of eight visits of 100.00 (each would pay 50.00) only 10.00 is left.
    Accumulator.objects.create(
        person=insured.person,
        year=2026,
        region_code=insured.person.village_id,
        basic_paid=D("290.00"),
        basic_paid_by_type={"outpatient_general": "290.00"},
    )
    for i in range(THREADS):
        services.do_register_visit(
            insured.centre,
            services.VisitData(
                id_number=insured.id_number,
                visit_type="outpatient_general",
                his_visit_no=f"MZ{i}",
                visit_date=datetime.date(2026, 6, 1),
            ),
        )
        fees.do_upload_fees(
            insured.centre,
            f"MZ{i}",
            [
                fees.FeeLineData(
                    code="XC01EBL134A001010101445", quantity=D("1"), unit_price=D("100.00")
                )
            ],
        )
    barrier = threading.Barrier(THREADS)
    errors = []

    def settle(i):
        try:
            barrier.wait()
            services.do_settle(insured.centre, f"MZ{i}", f"key-{i}", {})
        except DomainError as exc:
            errors.append(exc.as_dict())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=settle, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
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
    Accumulator.objects.create(
        person=insured.person,
        year=2026,
        region_code=insured.person.village_id,
        basic_paid=D("149900.00"),
        basic_paid_by_type={"inpatient": "149900.00"},
    )
    for i in range(THREADS):
        services.do_register_visit(
            insured.hospital,
            services.VisitData(
                id_number=insured.id_number,
                visit_type="inpatient",
                his_visit_no=f"ZY{i}",
                visit_date=datetime.date(2026, 6, 1),
            ),
        )
        fees.do_upload_fees(
            insured.hospital,
            f"ZY{i}",
            [
                fees.FeeLineData(
                    code="XC01EBL134A001010101445", quantity=D("20"), unit_price=D("36.40")
                )
            ],
        )
        services.do_discharge(insured.hospital, f"ZY{i}", datetime.date(2026, 6, 5))
    barrier = threading.Barrier(THREADS)
    errors = []

    def settle(i):
        try:
            barrier.wait()
            services.do_settle(insured.hospital, f"ZY{i}", f"key-{i}", {})
        except DomainError as exc:
            errors.append(exc.as_dict())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=settle, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
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
    def bill(no):
        services.do_register_visit(
            insured.centre,
            services.VisitData(
                id_number=insured.id_number,
                visit_type="outpatient_general",
                his_visit_no=no,
                visit_date=datetime.date(2026, 6, 1),
            ),
        )
        fees.do_upload_fees(
            insured.centre,
            no,
            [
                fees.FeeLineData(
                    code="XC01EBL134A001010101445", quantity=D("1"), unit_price=D("20.00")
                )
            ],
        )

    first = []
    for i in range(4):
        bill(f"OLD{i}")
        first.append(services.do_settle(insured.centre, f"OLD{i}", f"old-{i}", {})[0])
        bill(f"NEW{i}")
    barrier = threading.Barrier(THREADS)
    errors = []

    def run(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:  # a deadlock is a database error, not a refusal
            errors.append(repr(exc))
        finally:
            connections.close_all()

    jobs = [
        lambda s=s: services.do_reverse(insured.centre, s.pk, f"rev-{s.pk}", "录入错误")
        for s in first
    ] + [
        lambda i=i: services.do_settle(insured.centre, f"NEW{i}", f"new-{i}", {}) for i in range(4)
    ]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    standing = Settlement.objects.filter(kind="settle", reversed_at__isnull=True)
    assert standing.count() == 4
    acc = Accumulator.objects.get(person=insured.person, year=2026)
    assert acc.basic_paid == sum(s.basic_fund for s in standing)
    assert acc.basic_paid_by_type["outpatient_general"] == str(acc.basic_paid)
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]
