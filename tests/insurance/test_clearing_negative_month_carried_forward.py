"""A month whose reversals exceed its settlements posts nothing: the institution owes the
fund, the amount stays on 2101 (a debit balance) and is deducted from the institution's
next months' payments. Nothing is booked into the bank account (1101) that never came in.

Amounts, worked by hand from the example plan for 邓建国 (低保) at the level-2 hospital,
each visit one line of 655.20 (甲类), two-disease outpatient: ratio 0.55, basic limit
400.00 a year, assistance 0.70 of what the basic fund leaves:

  first visit of the year   basic 360.36 + assistance 206.39 = 566.75
  second visit              basic  39.64 + assistance 430.89 = 470.53 (limit reached)
  third visit               basic   0.00 + assistance 655.20 × 0.70 = 458.64

A reversal restores the year so far, so the next visit counts as the one reversed.

  March  MZ1 566.75 + MZ2 470.53                              net  1037.28, paid 1037.28
  April  MZ1 and MZ2 reversed, MZ3 (first again) 566.75       net  −470.53, carried
  May    MZ4 (second) 470.53 + MZ5 (third) 458.64             net   929.17,
         less the 470.53 April left owed                      paid  458.64
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.ledger.services import trial_balance
from huimin.insurance.services import clearing
from tests.insurance.officer_support import MARCH_20, settle_outpatient
from tests.insurance.test_clearing_void_and_negative import (
    APRIL_3,
    APRIL_10,
    balance,
    confirm,
    postings,
    reverse_at,
)

D = Decimal
MAY_8 = timezone.make_aware(datetime.datetime(2026, 5, 8, 9, 0))


def at(when, days):
    return when + datetime.timedelta(days=days)


@pytest.fixture
def through_april(insured):
    """March paid, April drawn up: its reversals exceed its one settlement."""
    mz1 = settle_outpatient(insured, "MZ1")
    mz2 = settle_outpatient(insured, "MZ2", at=at(MARCH_20, 1))
    bank_before = balance(insured, "1101")
    march = confirm(
        insured, clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    )
    reverse_at(insured, mz1, APRIL_3)
    reverse_at(insured, mz2, at(APRIL_3, 1))
    mz3 = settle_outpatient(insured, "MZ3", at=APRIL_10)
    assert (march.amount_payable, march.amount_paid) == (D("1037.28"), D("1037.28"))
    assert mz3.basic_fund + mz3.assistance == D("566.75")
    april = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-04")
    return insured, bank_before, april, mz3


def test_a_negative_month_posts_nothing_and_stays_owed_on_2101(client, through_april):
    insured, bank_before, april, _ = through_april
    assert april.amount_payable == D("-470.53")  # 566.75 − 566.75 − 470.53

    client.force_login(insured.officer)
    page = client.get(reverse("insurance:clearing_detail", args=[april.pk])).content.decode()
    assert 'id="owed">470.53<' in page and "从该机构以后月份的拨付中抵扣" in page
    assert "应拨付金额" not in page
    listed = client.get(reverse("insurance:clearing_list")).content.decode()
    assert "应退回 470.53（结转抵扣）" in listed

    client.post(reverse("insurance:clearing_approve", args=[april.pk]))
    client.force_login(insured.second_officer)
    r = client.post(reverse("insurance:clearing_confirm", args=[april.pk]), follow=True)
    assert "该机构应退回 470.53 元，不拨付、不记账" in r.content.decode()

    april.refresh_from_db()
    assert april.status == "confirmed" and april.payment_reference == ""
    assert (april.carried_in, april.amount_paid, april.carried_out) == (
        D("0.00"),
        D("0.00"),
        D("-470.53"),
    )
    assert not JournalEntry.objects.filter(source_type="clearing", source_id=str(april.pk))
    # 2101: credited 566.75 + 470.53 + 566.75 = 1604.03 by settling, debited 1037.28 by
    # reversing and 1037.28 by March's payment: −470.53, the hospital owes it.
    assert balance(insured, "2101") == D("-470.53")
    # The bank shows only what left it: March's 1037.28.
    assert balance(insured, "1101") - bank_before == D("-1037.28")
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]


def test_the_next_month_deducts_what_the_institution_owes(client, through_april):
    insured, bank_before, april, _ = through_april
    confirm(insured, april)
    mz4 = settle_outpatient(insured, "MZ4", at=MAY_8)
    mz5 = settle_outpatient(insured, "MZ5", at=at(MAY_8, 1))
    assert (mz4.basic_fund, mz4.assistance) == (D("39.64"), D("430.89"))
    assert (mz5.basic_fund, mz5.assistance) == (D("0.00"), D("458.64"))
    may = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-05")
    assert may.amount_payable == D("929.17")

    client.force_login(insured.officer)
    page = client.get(reverse("insurance:clearing_detail", args=[may.pk])).content.decode()
    assert 'id="deducted">470.53<' in page and 'id="paid">458.64<' in page
    assert "复核后拨付" in page

    clearing.do_approve_clearing(insured.officer, may.pk)
    client.force_login(insured.second_officer)
    r = client.post(reverse("insurance:clearing_confirm", args=[may.pk]), follow=True)
    assert "拨付 458.64 元已记账（已抵扣以前月份应退回 470.53 元）" in r.content.decode()

    may.refresh_from_db()
    assert (may.carried_in, may.amount_paid, may.carried_out) == (
        D("-470.53"),
        D("458.64"),
        D("0.00"),
    )
    assert may.ledgers == [
        {
            "region_code": insured.plan.region_code,
            "year": 2026,
            "net": "929.17",
            "carried_in": "-470.53",
            "paid": "458.64",
            "carried_out": "0.00",
        }
    ]
    assert postings(may) == [("1101", D("0.00"), D("458.64")), ("2101", D("458.64"), D("0.00"))]
    listed = client.get(reverse("insurance:clearing_list")).content.decode()
    assert "抵扣后实拨 458.64" in listed
    entry = JournalEntry.objects.get(source_type="clearing", source_id=str(may.pk))
    assert entry.purpose == "payment" and "抵扣以前月份应退回470.53" in entry.memo
    # All square: 2101 back to zero, and the fund has paid exactly the visits that
    # stand, MZ3 + MZ4 + MZ5 = 566.75 + 470.53 + 458.64 = 1495.92.
    assert balance(insured, "2101") == D("0.00")
    assert balance(insured, "1101") - bank_before == D("-1495.92")
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]


def test_a_month_still_negative_carries_the_whole_amount_on(through_april):
    insured, bank_before, april, mz3 = through_april
    confirm(insured, april)
    reverse_at(insured, mz3, MAY_8)
    may = confirm(
        insured, clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-05")
    )
    # −566.75 this month on top of −470.53 owed.
    assert (may.amount_payable, may.carried_in, may.amount_paid, may.carried_out) == (
        D("-566.75"),
        D("-470.53"),
        D("0.00"),
        D("-1037.28"),
    )
    assert not JournalEntry.objects.filter(source_type="clearing", source_id=str(may.pk))
    # Every visit is reversed: the hospital owes back all of March's 1037.28.
    assert balance(insured, "2101") == D("-1037.28")

    # June: all three visits again (first, second, third of the restored year).
    june_1 = timezone.make_aware(datetime.datetime(2026, 6, 1, 9, 0))
    for n in range(3):
        settle_outpatient(insured, f"MZ6{n}", at=at(june_1, n))
    june = confirm(
        insured, clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-06")
    )
    # 566.75 + 470.53 + 458.64 = 1495.92, less 1037.28 owed = 458.64 paid.
    assert (june.amount_payable, june.carried_in, june.amount_paid, june.carried_out) == (
        D("1495.92"),
        D("-1037.28"),
        D("458.64"),
        D("0.00"),
    )
    assert balance(insured, "2101") == D("0.00")
    assert balance(insured, "1101") - bank_before == D("-1495.92")


def test_only_money_paid_out_has_lines():
    assert clearing.clearing_lines(D("-12.30")) == []
    assert clearing.clearing_lines(D("0.00")) == []
    assert [clearing.direction(D(x)) for x in ("0.01", "-0.01", "0.00")] == [
        "pay",
        "carry",
        "nothing",
    ]
    part = clearing.LedgerClearing("430522", 2026, D("100.00"), D("-120.50"))
    assert (part.paid, part.carried_out) == (D("0.00"), D("-20.50"))
    part = clearing.LedgerClearing("430522", 2026, D("120.50"), D("-100.00"))
    assert (part.paid, part.carried_out) == (D("20.50"), D("0.00"))
