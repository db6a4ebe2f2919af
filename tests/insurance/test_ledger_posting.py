"""Posting an entry finds its accounts in the same statement; the first entry of a
region's year creates the chart, and a chart missing an account is completed first."""

from decimal import Decimal

import pytest

from huimin.insurance.ledger import rules
from huimin.insurance.ledger.models import Account, Posting
from huimin.insurance.ledger.services import post, trial_balance

D = Decimal
L = rules.Line


def settle_entry(source_id, amount="12.34"):
    return post(
        region_code="430522",
        year=2026,
        source_type="test",
        source_id=source_id,
        purpose="settle",
        memo="测试",
        lines=[L("5101", debit=D(amount)), L("2101", credit=D(amount))],
    )


def postings(entry):
    return sorted(
        (p.account.code, p.account.region_code, p.account.year, p.debit, p.credit)
        for p in Posting.objects.filter(entry=entry).select_related("account")
    )


@pytest.mark.django_db
def test_first_entry_creates_the_chart_and_later_ones_reuse_it():
    first = settle_entry(1)
    assert Account.objects.filter(region_code="430522", year=2026).count() == len(rules.CHART)
    second = settle_entry(2, "0.01")
    assert Account.objects.count() == len(rules.CHART)
    assert postings(first) == [
        ("2101", "430522", 2026, D("0.00"), D("12.34")),
        ("5101", "430522", 2026, D("12.34"), D("0.00")),
    ]
    assert postings(second) == [
        ("2101", "430522", 2026, D("0.00"), D("0.01")),
        ("5101", "430522", 2026, D("0.01"), D("0.00")),
    ]
    assert trial_balance("430522", 2026)["balanced"]


@pytest.mark.django_db
def test_a_missing_account_is_created_and_nothing_is_posted_twice():
    settle_entry(1)
    Account.objects.filter(region_code="430522", year=2026, code="6201").delete()
    entry = post(
        region_code="430522",
        year=2026,
        source_type="test",
        source_id=2,
        purpose="fee",
        memo="管理费",
        lines=[L("6101", debit=D("5.00")), L("6201", credit=D("5.00"))],
    )
    assert postings(entry) == [
        ("6101", "430522", 2026, D("5.00"), D("0.00")),
        ("6201", "430522", 2026, D("0.00"), D("5.00")),
    ]


@pytest.mark.django_db
def test_another_region_or_year_has_its_own_accounts():
    settle_entry(1)
    entry = post(
        region_code="430521",
        year=2027,
        source_type="test",
        source_id=3,
        purpose="settle",
        memo="测试",
        lines=[L("5101", debit=D("1.00")), L("2101", credit=D("1.00"))],
    )
    assert {(p[1], p[2]) for p in postings(entry)} == {("430521", 2027)}
