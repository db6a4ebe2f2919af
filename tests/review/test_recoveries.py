"""Confirmed recoveries in the fund ledger (借 1204 / 贷 the expenses) and their deduction
at the institution's next monthly clearing (借 2101 / 贷 1204). Amounts hand worked from
the March stay: the funds paid 25959.17 (5101) + 3107.67 (5102) + 1171.35 (5103) =
30238.19, all owed to the hospital on 2101."""

# ruff: noqa: F811 (pytest fixtures imported from workflow_support are parameters here)

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.ledger.services import balances, post, trial_balance
from huimin.insurance.services import clearing
from huimin.review import workflow, workflow_rules
from huimin.review.models import Recovery
from huimin.review.workflow import DecisionIn
from tests.review.workflow_support import (  # noqa: F401 (fixtures)
    MARCH_20,
    finding,
    insured,
    make_finding,
    stay,
)

D = Decimal


def ledger(county):
    return {r["code"]: r["balance"] for r in balances(county.plan.region_code, 2026)}


def clear(county, month="2026-03"):
    batch = clearing.do_create_clearing(county.officer, county.hospital.pk, month)
    clearing.do_approve_clearing(county.officer, batch.pk)
    return clearing.do_confirm_clearing(county.second_officer, batch.pk)


def test_a_confirmed_recovery_moves_the_expense_to_a_receivable(insured, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "800.00"))
    rows = ledger(insured)
    assert rows["1204"] == D("800.00")
    assert rows["5101"] == D("25959.17") - D("800.00") == D("25159.17")
    assert rows["2101"] == D("30238.19")  # still owed until the clearing nets it
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]
    entry = JournalEntry.objects.get(source_type="review.recovery")
    assert (entry.source_id, entry.purpose) == (str(finding.pk), "recovery")


def test_a_recovery_beyond_the_basic_fund_takes_the_other_tiers_in_turn():
    lines = workflow_rules.recovery_lines(D("27000.00"), D("25959.17"), D("3107.67"), D("0"))
    assert [(ln.account, ln.debit, ln.credit) for ln in lines] == [
        ("1204", D("27000.00"), D("0")),
        ("5101", D("0"), D("25959.17")),
        ("5102", D("0"), D("1040.83")),  # 27000.00 - 25959.17
    ]


def test_a_recovery_can_never_post_twice(insured, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "800.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        post(
            region_code=insured.plan.region_code,
            year=2026,
            source_type="review.recovery",
            source_id=finding.pk,
            purpose="recovery",
            memo="again",
            lines=workflow_rules.recovery_lines(D("800.00"), D("25959.17"), D(0), D(0)),
        )


def test_the_next_clearing_deducts_the_recovery_once(insured, stay, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "800.00"))
    bank_before = ledger(insured)["1101"]  # the household's contribution
    batch = clear(insured)
    # 30238.19 owed for March - 800.00 recovered = 29438.19 paid out.
    assert batch.amount_payable == D("30238.19")
    assert batch.amount_paid == D("29438.19")
    assert batch.ledgers[0]["adjusted"] == "-800.00"
    rows = ledger(insured)
    assert (rows["1204"], rows["2101"]) == (D("0.00"), D("0.00"))
    assert bank_before - rows["1101"] == D("29438.19")  # the bank paid the net
    assert Recovery.objects.get().clearing_batch_id == batch.pk
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]


def test_a_recovery_larger_than_the_month_is_carried_on_like_a_reversal(insured, stay):
    # Confirmed in April, when April has nothing to pay the hospital: April pays 0.00 and
    # carries 1500.00 owed, which May's clearing would deduct.
    clear(insured)  # March: 30238.19 paid in full
    f = make_finding(stay)
    workflow.do_decide(insured.officer, f.pk, DecisionIn("confirm", "1500.00"))
    workflow.do_decide(insured.second_officer, f.pk, DecisionIn("second_approve"))
    april = clear(insured, "2026-04")
    assert (april.amount_paid, april.carried_out) == (D("0.00"), D("-1500.00"))
    rows = ledger(insured)
    assert (rows["1204"], rows["2101"]) == (D("0.00"), D("-1500.00"))


def test_a_recovery_pending_second_review_is_not_deducted(insured, stay, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "2000.00"))
    batch = clear(insured)
    assert batch.amount_paid == D("30238.19")
    assert not Recovery.objects.exists()


def test_the_batch_month_boundary_is_the_confirmation_not_the_service(insured, stay, finding):
    # A recovery confirmed after March's clearing was confirmed is netted in April.
    clear(insured)
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "100.00"))
    assert Recovery.objects.get().clearing_batch_id is None
    assert timezone.now() > MARCH_20 + datetime.timedelta(days=30)


def test_the_ledger_page_names_the_recovery_and_links_to_its_finding(client, insured, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "800.00", "属实"))
    client.force_login(insured.officer)
    page = client.get("/insurance/ledger/entries/", {"region": insured.plan.region_code})
    text = page.content.decode()
    assert page.status_code == 200
    assert "审核追回" in text and "追回违规费用" in text and "review.recovery" not in text
    assert f'href="/review/findings/{finding.pk}/"' in text
