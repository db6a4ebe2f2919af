"""Reconciliation with institutions (3201/3202) and monthly clearing with four eyes."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from huimin.core.errors import Conflict, PermissionDenied
from huimin.insurance.ledger.services import balances, trial_balance
from huimin.insurance.models import Settlement
from huimin.insurance.services import clearing
from huimin.insurance.services.reversal import do_reverse
from huimin.insurance.services.settlement import do_settle
from tests.insurance.test_settlement_flow import admit_and_bill

D = Decimal
MARCH_20 = timezone.make_aware(datetime.datetime(2026, 3, 20, 10, 0))


@pytest.fixture
def settled_in_march(insured):
    visit = admit_and_bill(insured)
    s, _ = do_settle(insured.hospital, visit, "k1", {})
    Settlement.objects.filter(pk=s.pk).update(settled_at=MARCH_20)
    s.refresh_from_db()
    return s


def test_matching_day_totals(insured, settled_in_march):
    s = settled_in_march
    # Fund paid = 25959.17 + 3107.67 + 1171.35 = 30238.19 (zero year so far: see below).
    fund = s.basic_fund + s.critical_illness + s.assistance
    run = clearing.do_reconcile_totals(
        insured.hospital,
        clearing.TotalsIn(
            day=datetime.date(2026, 3, 20),
            count=1,
            total=s.total,
            fund_paid=fund,
            patient_pay=s.patient_pay,
        ),
    )
    assert run.matched and run.result["differences"] == {}


def test_totals_differences_are_reported_field_by_field(insured, settled_in_march):
    s = settled_in_march
    run = clearing.do_reconcile_totals(
        insured.hospital,
        clearing.TotalsIn(
            day=datetime.date(2026, 3, 20),
            count=2,
            total=s.total + D("10.00"),
            fund_paid=D("0.00"),
            patient_pay=s.patient_pay,
        ),
    )
    assert not run.matched
    diff = run.result["differences"]
    assert diff["count"] == {"institution": "2", "centre": "1", "difference": "1"}
    assert diff["total"]["difference"] == "10.00"
    assert set(diff) == {"count", "total", "fund_paid"}


def test_detail_reconciliation_finds_missing_and_differing(insured, settled_in_march):
    s = settled_in_march
    run = clearing.do_reconcile_details(
        insured.hospital,
        datetime.date(2026, 3, 20),
        [
            clearing.DetailIn(settlement_id=s.pk, total=s.total, fund_paid=D("1.00")),
            clearing.DetailIn(settlement_id=999999, total=D("5.00"), fund_paid=D("0.00")),
        ],
    )
    assert not run.matched
    assert run.result["missing_at_centre"] == [999999]
    assert run.result["missing_at_institution"] == []
    assert run.result["amount_differs"][0]["settlement_id"] == s.pk


def test_clearing_needs_two_officers_and_then_pays(insured, settled_in_march):
    s = settled_in_march
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    assert batch.settlement_count == 1
    assert batch.amount_payable == s.basic_fund + s.critical_illness + s.assistance
    clearing.do_approve_clearing(insured.officer, batch.pk)
    with pytest.raises(PermissionDenied) as exc:
        clearing.do_confirm_clearing(insured.officer, batch.pk)
    assert exc.value.code == "four_eyes"
    assert Settlement.objects.get(pk=s.pk).clearing_batch_id is None
    clearing.do_confirm_clearing(insured.second_officer, batch.pk)
    assert Settlement.objects.get(pk=s.pk).clearing_batch_id == batch.pk
    rows = {r["code"]: r["balance"] for r in balances(insured.plan.region_code, 2026)}
    assert rows["2101"] == D("0.00")  # the payable is settled by the payment
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]
    # An error found after clearing is still reversed; the reversal belongs to the month
    # it is made in (April here) and that month's clearing takes the money back.
    reversal, _ = do_reverse(insured.hospital, s.pk, "r1", "清算后发现重复收费")
    assert reversal.clearing_batch_id is None
    Settlement.objects.filter(pk=reversal.pk).update(
        settled_at=timezone.make_aware(datetime.datetime(2026, 4, 10, 9, 0))
    )
    april = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-04")
    assert april.amount_payable == -(s.basic_fund + s.critical_illness + s.assistance)


def test_a_month_not_yet_over_cannot_be_cleared(insured):
    month = timezone.localdate().strftime("%Y-%m")
    from huimin.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        clearing.do_create_clearing(insured.officer, insured.hospital.pk, month)
    assert "month" in exc.value.fields


def test_an_unconfirmed_batch_can_be_voided_and_drawn_up_again(insured, settled_in_march):
    from huimin.core.errors import ValidationFailed

    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    for reason in (" ", "因" * 201):
        with pytest.raises(ValidationFailed) as exc:
            clearing.do_cancel_clearing(insured.officer, batch.pk, reason)
        assert set(exc.value.fields) == {"reason"}
        batch.refresh_from_db()
        assert batch.status == "draft"
    clearing.do_cancel_clearing(insured.officer, batch.pk, "当月数据有补录")
    again = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    assert again.pk != batch.pk and again.settlement_count == 1


def test_a_month_that_changed_after_approval_is_not_paid(insured, settled_in_march):
    # After approval, the March row is swapped for another visit's settlement: the same
    # count, other money. Confirmation refuses; nothing is marked or posted.
    from huimin.insurance.ledger.models import JournalEntry
    from tests.insurance.officer_support import settle_outpatient

    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    clearing.do_approve_clearing(insured.officer, batch.pk)
    other = settle_outpatient(insured, "MZ-LATE")  # settled on MARCH_20 too
    Settlement.objects.filter(pk=settled_in_march.pk).update(
        settled_at=MARCH_20 + datetime.timedelta(days=30)
    )
    assert other.basic_fund != settled_in_march.basic_fund
    entries = JournalEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        clearing.do_confirm_clearing(insured.second_officer, batch.pk)
    assert exc.value.code == "clearing_changed"
    assert not Settlement.objects.filter(clearing_batch_id=batch.pk).exists()
    assert JournalEntry.objects.count() == entries


def test_a_month_spanning_two_years_pays_each_from_its_own_ledger(insured, settled_in_march):
    # A 2025 stay settled in March 2026 posted its payable to the 2025 ledger (the visit's
    # year); clearing March pays it from 2025's and March's own visit from 2026's, so
    # both ledgers' payables come back to zero.
    from huimin.insurance.ledger.models import Account, JournalEntry, Posting
    from huimin.insurance.ledger.services import ensure_accounts

    old_visit = admit_and_bill(insured, visit_no="ZY-2025")
    old, _ = do_settle(insured.hospital, old_visit, "k-2025", {})
    Settlement.objects.filter(pk=old.pk).update(settled_at=MARCH_20, year=2025)
    JournalEntry.objects.filter(source_type="settlement", source_id=str(old.pk)).update(year=2025)
    # Move the entry's postings onto the 2025 accounts, as a 2025 settlement posts them.
    accounts_2025 = ensure_accounts(insured.plan.region_code, 2025)
    for p in Posting.objects.filter(entry__source_id=str(old.pk), entry__source_type="settlement"):
        p.account = accounts_2025[p.account.code]
        p.save(update_fields=["account"])
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    clearing.do_approve_clearing(insured.officer, batch.pk)
    clearing.do_confirm_clearing(insured.second_officer, batch.pk)
    for year in (2025, 2026):
        rows = {r["code"]: r["balance"] for r in balances(insured.plan.region_code, year)}
        assert rows["2101"] == D("0.00"), year
        assert trial_balance(insured.plan.region_code, year)["balanced"]
    entries = JournalEntry.objects.filter(source_type="clearing").order_by("year")
    assert [(e.year, e.source_id) for e in entries] == [
        (2025, f"{batch.pk}-{insured.plan.region_code}-2025"),
        (2026, str(batch.pk)),
    ]
    assert Account.objects.filter(year=2025).exists()
