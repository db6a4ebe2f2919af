"""Voiding a clearing batch from its page, and months whose net is zero (or negative:
test_clearing_negative_month_carried_forward.py).

Amounts, worked by hand from the example plan (../shared/examples/plan-example.yaml) for
邓建国 (低保) at the level-2 hospital, each visit one line of 18 × 36.40 = 655.20 (甲类),
two-disease outpatient: ratio 0.50 + 低保 bonus 0.05 = 0.55, basic limit 400.00 a year;
医疗救助 (低保) 0.70 of what is left after the basic fund:

  first visit of the year   basic 655.20 × 0.55 = 360.36
                            assistance (655.20 − 360.36) × 0.70 = 206.388 → 206.39
                            fund 360.36 + 206.39 = 566.75
  second visit              basic 400.00 − 360.36 = 39.64 (limit reached)
                            assistance (655.20 − 39.64) × 0.70 = 430.892 → 430.89
                            fund 39.64 + 430.89 = 470.53

A reversal restores the year so far exactly, so a visit settled after both are reversed
is again a "first visit": fund 566.75.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from huimin.audit.models import AuditEvent
from huimin.insurance.ledger import rules as ledger_rules
from huimin.insurance.ledger.models import JournalEntry, Posting
from huimin.insurance.ledger.services import balances
from huimin.insurance.models import ClearingBatch, Settlement
from huimin.insurance.services import clearing
from huimin.insurance.services.reversal import do_reverse
from tests.insurance.officer_support import (
    MARCH_20,
    cashier,
    other_county_officer,
    settle_outpatient,
)

D = Decimal
APRIL_3 = timezone.make_aware(datetime.datetime(2026, 4, 3, 9, 0))
APRIL_10 = timezone.make_aware(datetime.datetime(2026, 4, 10, 9, 0))


def reverse_at(insured, s: Settlement, at) -> Settlement:
    reversal, _ = do_reverse(insured.hospital, s.pk, f"rev-{s.pk}", "收费有误")
    Settlement.objects.filter(pk=reversal.pk).update(settled_at=at)
    reversal.refresh_from_db()
    return reversal


def confirm(insured, batch):
    clearing.do_approve_clearing(insured.officer, batch.pk)
    return clearing.do_confirm_clearing(insured.second_officer, batch.pk)


def postings(batch) -> list[tuple[str, Decimal, Decimal]]:
    """The clearing entry's postings by account code (the insert does not fix their order)."""
    return sorted(
        (p.account.code, p.debit, p.credit)
        for p in Posting.objects.filter(
            entry__source_type="clearing", entry__source_id=str(batch.pk)
        ).select_related("account")
    )


def balance(insured, code: str) -> Decimal:
    rows = {r["code"]: r["balance"] for r in balances(insured.plan.region_code, 2026)}
    return rows[code]


def snapshot():
    return (
        list(ClearingBatch.objects.values_list("pk", "status", "approved_by", "confirmed_by")),
        list(Settlement.objects.values_list("pk", "clearing_batch_id")),
        JournalEntry.objects.filter(source_type="clearing").count(),
        AuditEvent.objects.filter(object_type="insurance.clearing").count(),
    )


@pytest.fixture
def march(insured):
    return [
        settle_outpatient(insured, "MZ1"),
        settle_outpatient(insured, "MZ2", at=MARCH_20 + datetime.timedelta(days=1)),
    ]


# ---------------------------------------------------------------- voiding from the page


@pytest.mark.parametrize("approved", [False, True])
def test_an_officer_voids_a_batch_with_a_reason_and_draws_it_up_again(
    client, insured, march, approved
):
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    if approved:
        clearing.do_approve_clearing(insured.officer, batch.pk)
    client.force_login(insured.second_officer)
    url = reverse("insurance:clearing_cancel", args=[batch.pk])
    page = client.get(reverse("insurance:clearing_detail", args=[batch.pk])).content.decode()
    assert f'action="{url}"' in page and 'name="reason"' in page

    r = client.post(url, {"reason": "  当月有补录结算  "})
    assert r.status_code == 302
    assert r["Location"] == reverse("insurance:clearing_detail", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == "cancelled"
    event = AuditEvent.objects.get(
        object_type="insurance.clearing", object_id=str(batch.pk), action="update"
    )
    assert event.actor_id == insured.second_officer.pk
    assert event.purpose == "当月有补录结算"
    assert event.changes == {"status": ["approved" if approved else "draft", "cancelled"]}
    assert Settlement.objects.filter(clearing_batch_id__isnull=False).count() == 0

    page = client.get(r["Location"]).content.decode()
    assert "已作废" in page and url not in page  # no second void, no approve, no confirm
    assert reverse("insurance:clearing_approve", args=[batch.pk]) not in page

    r = client.post(
        reverse("insurance:clearing_create"),
        {"institution": insured.hospital.pk, "month": "2026-03"},
    )
    assert r.status_code == 302
    again = ClearingBatch.objects.exclude(pk=batch.pk).get()
    assert (again.status, again.settlement_count) == ("draft", 2)


@pytest.mark.parametrize(
    "reason, message",
    [
        ("", "须填写作废原因"),
        ("   ", "须填写作废原因"),
        (None, "须填写作废原因"),
        ("因" * 201, "作废原因最多200字"),
    ],
)
def test_a_missing_or_overlong_reason_is_refused_and_nothing_changes(
    client, insured, march, reason, message
):
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    client.force_login(insured.officer)
    before = snapshot()
    data = {} if reason is None else {"reason": reason}
    r = client.post(reverse("insurance:clearing_cancel", args=[batch.pk]), data)
    assert r.status_code == 422
    assert r.context["error"]["fields"] == {"原因": message}
    assert message in r.content.decode()
    assert snapshot() == before
    # What was typed is kept in the form for correcting.
    if reason and reason.strip():
        assert reason in r.content.decode()


def test_two_hundred_characters_are_enough(client, insured, march):
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    client.force_login(insured.officer)
    r = client.post(reverse("insurance:clearing_cancel", args=[batch.pk]), {"reason": "因" * 200})
    assert r.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "cancelled"


def test_a_confirmed_or_already_voided_batch_cannot_be_voided(client, insured, march):
    client.force_login(insured.officer)
    confirmed = confirm(
        insured, clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    )
    page = client.get(reverse("insurance:clearing_detail", args=[confirmed.pk])).content.decode()
    assert reverse("insurance:clearing_cancel", args=[confirmed.pk]) not in page
    before = snapshot()
    r = client.post(reverse("insurance:clearing_cancel", args=[confirmed.pk]), {"reason": "误"})
    assert r.status_code == 409 and "已复核拨付的批次不能作废" in r.content.decode()
    assert snapshot() == before

    voided = clearing.do_create_clearing(insured.officer, insured.centre.pk, "2026-03")
    clearing.do_cancel_clearing(insured.officer, voided.pk, "重复生成")
    before = snapshot()
    r = client.post(reverse("insurance:clearing_cancel", args=[voided.pk]), {"reason": "再次"})
    assert r.status_code == 409 and "该批次已作废" in r.content.decode()
    assert snapshot() == before


def test_voiding_is_checked_like_approving(client, insured, march):
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    url = reverse("insurance:clearing_cancel", args=[batch.pk])
    before = snapshot()
    client.force_login(other_county_officer())
    assert client.post(url, {"reason": "越权"}).status_code == 404
    client.force_login(cashier(insured))
    assert client.post(url, {"reason": "越权"}).status_code == 403
    client.logout()
    r = client.post(url, {"reason": "越权"})
    assert r.status_code == 302 and "login" in r["Location"]
    client.force_login(insured.officer)
    assert client.get(url).status_code == 405
    assert snapshot() == before


def test_the_drift_warning_leads_to_the_void_form(client, insured, march):
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    settle_outpatient(insured, "MZ9", at=MARCH_20 + datetime.timedelta(days=2))
    client.force_login(insured.officer)
    page = client.get(reverse("insurance:clearing_detail", args=[batch.pk])).content.decode()
    assert '<a href="#cancel">作废本批次</a>' in page and 'id="cancel"' in page
    client.post(reverse("insurance:clearing_cancel", args=[batch.pk]), {"reason": "补录MZ9"})
    again = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    assert again.settlement_count == 3


# ---------------------------------------------------------------- negative and zero months


def test_the_payment_entry_is_balanced_and_in_the_fund_group():
    L = ledger_rules.Line
    assert clearing.clearing_lines(D("12.30")) == [
        L("2101", debit=D("12.30")),
        L("1101", credit=D("12.30")),
    ]
    for amount in (D("12.30"), D("0.01")):
        assert ledger_rules.check_entry(clearing.clearing_lines(amount)) == "fund"
    # A negative month: tests/insurance/test_clearing_negative_month_carried_forward.py.


def test_a_month_netting_to_zero_is_cleared_without_an_entry_or_a_reference(client, insured):
    mz1 = settle_outpatient(insured, "MZ1")
    reverse_at(insured, mz1, MARCH_20 + datetime.timedelta(days=5))
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    assert (batch.settlement_count, batch.amount_payable) == (2, D("0.00"))
    client.force_login(insured.officer)
    page = client.get(reverse("insurance:clearing_detail", args=[batch.pk])).content.decode()
    assert 'id="net-zero-notice"' in page and "应拨付金额" not in page
    client.post(reverse("insurance:clearing_approve", args=[batch.pk]))
    client.force_login(insured.second_officer)
    r = client.post(reverse("insurance:clearing_confirm", args=[batch.pk]), follow=True)
    assert "净额为零" in r.content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.payment_reference) == ("confirmed", "")
    assert not JournalEntry.objects.filter(source_type="clearing").exists()
    assert set(Settlement.objects.values_list("clearing_batch_id", flat=True)) == {batch.pk}
    assert balance(insured, "2101") == D("0.00")


def test_an_empty_month_is_cleared_without_an_entry(insured):
    batch = confirm(
        insured, clearing.do_create_clearing(insured.officer, insured.centre.pk, "2026-03")
    )
    assert (batch.status, batch.settlement_count, batch.payment_reference) == (
        "confirmed",
        0,
        "",
    )
    assert not JournalEntry.objects.filter(source_type="clearing").exists()


def test_a_reversal_in_a_later_month_is_deducted_there_even_when_drawn_up_later(insured):
    # MZ1 settled 20 March (fund 566.75) and reversed 3 April, before March was drawn up.
    mz1 = settle_outpatient(insured, "MZ1")
    reversal = reverse_at(insured, mz1, APRIL_3)
    bank_before = balance(insured, "1101")
    # March still pays MZ1 (settled in March), April deducts the reversal: each row is in
    # exactly one batch, and the two months together move nothing.
    march = confirm(
        insured, clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    )
    april = confirm(
        insured, clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-04")
    )
    assert (march.settlement_count, march.amount_payable) == (1, D("566.75"))
    assert (april.settlement_count, april.amount_payable) == (1, D("-566.75"))
    assert Settlement.objects.get(pk=mz1.pk).clearing_batch_id == march.pk
    assert Settlement.objects.get(pk=reversal.pk).clearing_batch_id == april.pk
    # April's −566.75 is owed by the hospital, carried to its next month: no entry.
    assert postings(april) == []
    assert april.carried_out == D("-566.75")
    assert balance(insured, "2101") == D("-566.75")
    assert balance(insured, "1101") - bank_before == D("-566.75")


def test_confirming_twice_says_the_batch_is_already_paid(insured):
    batch = confirm(
        insured, clearing.do_create_clearing(insured.officer, insured.centre.pk, "2026-03")
    )
    events = AuditEvent.objects.count()
    with pytest.raises(clearing.Conflict) as refused:
        clearing.do_confirm_clearing(insured.second_officer, batch.pk)
    assert refused.value.code == "clearing_not_approved"
    assert "已复核拨付" in refused.value.message
    assert AuditEvent.objects.count() == events
