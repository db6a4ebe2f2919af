"""After enrollment, cash, bank, refund and late payment, the fund ledger balances."""

import datetime
from decimal import Decimal

from huimin.insurance.enrollment import bank, services
from huimin.insurance.ledger import services as ledger
from tests import factories
from tests.enrollment.conftest import YEAR
from tests.enrollment.helpers import enroll, pay_cash

D = datetime.date


def test_trial_balance_after_everything(officer, period, family):
    enrolled = enroll(officer, family["household"])  # grandma (tekun) paid at enrollment
    mother = pay_cash(officer, enrolled[family["mother"].pk], "200.00", receipt="XS-1")
    father_id = family["father"].reveal_id_number()
    batch = bank.do_import_bank_batch(
        officer,
        YEAR,
        "bank.csv",
        f"{father_id},王父,400.00,YH1,2025-11-20\n{father_id},王父,1.00,YH2,2025-11-20\n".encode(),
        today=D(2026, 1, 5),
    )
    assert (batch.booked, batch.rejected) == (1, 1)
    services.do_refund(officer, mother.pk, "已参加职工医保")
    son = factories.make_person("王小", birth=D(2004, 4, 4))
    factories.make_household(son)
    late = enroll(officer, son.memberships.get().household, on=D(2026, 2, 1))[son.pk]
    pay_cash(officer, late, receipt="XS-2", key="late", day=D(2026, 2, 1))

    tb = ledger.trial_balance("430522", YEAR)
    assert tb["balanced"]
    balances = {r["code"]: r["balance"] for r in tb["rows"]}
    # Standing: grandma (assistance 400.00 + subsidy 670.00), father (bank 400.00 +
    # subsidy 670.00), son late (cash 400.00 + subsidy 670.00); mother refunded to zero.
    assert balances["1101"] == balances["4101"] == Decimal("800.00")
    assert balances["1203"] == balances["4103"] == Decimal("400.00")
    assert balances["1202"] == balances["4102"] == Decimal("2010.00")  # 3 × 670.00
    assert tb["groups"]["fund"]["debit"] == tb["groups"]["fund"]["credit"]
