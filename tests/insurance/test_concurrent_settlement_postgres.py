"""Many simultaneous settlements for one person near a limit never pay past it (PostgreSQL)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from huimin.core.errors import DomainError
from huimin.insurance import services
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
        services.do_upload_fees(
            insured.centre,
            f"MZ{i}",
            [
                services.FeeLineData(
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
