"""The ledger keeps the fund and the management fees apart, and every entry balances."""

from decimal import Decimal

import pytest

from huimin.insurance.ledger import rules, services
from huimin.insurance.ledger.models import JournalEntry, Posting

D = Decimal
L = rules.Line


def test_an_entry_moving_money_from_fund_to_management_fees_is_refused(db):
    with pytest.raises(rules.LedgerError) as exc:
        services.post(
            region_code="430522",
            year=2026,
            source_type="test",
            source_id=1,
            purpose="transfer",
            memo="基金划入管理费",
            lines=[L("6101", debit=D("100.00")), L("1101", credit=D("100.00"))],
        )
    assert exc.value.code == "fund_mgmt_mixed"
    assert JournalEntry.objects.count() == 0 and Posting.objects.count() == 0


def test_unbalanced_and_two_sided_lines_are_refused():
    with pytest.raises(rules.LedgerError) as exc:
        rules.check_entry([L("5101", debit=D("10.00")), L("2101", credit=D("9.99"))])
    assert exc.value.code == "entry_unbalanced"
    with pytest.raises(rules.LedgerError) as exc:
        rules.check_entry([L("5101", debit=D("10.00"), credit=D("10.00"))])
    assert exc.value.code == "posting_sides"


def test_balances_and_trial_balance(db):
    # Contribution 400.00 received; 300.00 paid out as basic benefit to a payable.
    services.post(
        region_code="430522",
        year=2026,
        source_type="payment",
        source_id=1,
        purpose="contribution",
        memo="个人缴费",
        lines=[L("1101", debit=D("400.00")), L("4101", credit=D("400.00"))],
    )
    services.post(
        region_code="430522",
        year=2026,
        source_type="settlement",
        source_id=7,
        purpose="settle",
        memo="结算",
        lines=[L("5101", debit=D("300.00")), L("2101", credit=D("300.00"))],
    )
    services.post(
        region_code="430522",
        year=2026,
        source_type="fee",
        source_id=1,
        purpose="mgmt",
        memo="管理费拨入",
        lines=[L("6101", debit=D("50.00")), L("6201", credit=D("50.00"))],
    )
    rows = {r["code"]: r["balance"] for r in services.balances("430522", 2026)}
    assert rows["1101"] == D("400.00") and rows["4101"] == D("400.00")
    assert rows["2101"] == D("300.00") and rows["5101"] == D("300.00")
    assert rows["6101"] == D("50.00")
    tb = services.trial_balance("430522", 2026)
    assert tb["balanced"]
    assert tb["groups"]["fund"] == {"debit": D("700.00"), "credit": D("700.00")}
    assert tb["groups"]["mgmt"] == {"debit": D("50.00"), "credit": D("50.00")}


def test_the_same_source_cannot_post_twice(db):
    from django.db import IntegrityError, transaction

    kw = dict(
        region_code="430522",
        year=2026,
        source_type="settlement",
        source_id=9,
        purpose="settle",
        memo="结算",
        lines=[L("5101", debit=D("1.00")), L("2101", credit=D("1.00"))],
    )
    services.post(**kw)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.post(**kw)
