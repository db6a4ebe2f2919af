"""A visit settled in real time: the worked example end to end, idempotency, reversal."""

import datetime
import json
from decimal import Decimal

import pytest

from huimin.core.errors import Conflict, NotFound
from huimin.insurance import ytd
from huimin.insurance.ledger.services import balances, trial_balance
from huimin.insurance.models import Accumulator, FeeDetail, Settlement
from huimin.insurance.services import fees
from huimin.insurance.services.reversal import do_reverse
from huimin.insurance.services.settlement import do_settle, pre_settle
from huimin.insurance.services.visits import VisitData, do_discharge, do_register_visit
from tests.insurance.conftest import EXAMPLES, preload_example_ytd

D = Decimal
DAY = datetime.date


def example_lines():
    claim = json.loads((EXAMPLES / "claim-example.json").read_text(), parse_float=D)
    return [
        fees.FeeLineData(
            code=ln["code"],
            name=ln["name"],
            quantity=D(ln["quantity"]),
            unit_price=D(ln["unit_price"]),
        )
        for ln in claim["lines"]
    ]


def admit_and_bill(county, visit_no="ZY2026001"):
    do_register_visit(
        county.hospital,
        VisitData(
            id_number=county.id_number,
            visit_type="inpatient",
            his_visit_no=visit_no,
            visit_date=DAY(2026, 3, 2),
        ),
    )
    fees.do_upload_fees(county.hospital, visit_no, example_lines())
    do_discharge(county.hospital, visit_no, DAY(2026, 3, 20))
    return visit_no


def accumulators(person):
    acc = Accumulator.objects.get(person=person, year=2026)
    return ytd.ytd_of(acc).as_json()


def test_the_worked_example_settles_to_the_contract(insured):
    # The catalog supplies classes and ceilings (85.00, 40.00) in force on 2026-03-02; the
    # plan, the dibao category and the year so far are those of ../shared/examples.
    preload_example_ytd(insured.person)
    visit = admit_and_bill(insured)
    expected = json.loads((EXAMPLES / "settlement-example.json").read_text())
    pre = pre_settle(insured.hospital, visit)
    assert pre.result.as_json() == expected and pre.review_findings == []
    assert accumulators(insured.person)["basic_paid"] == "3200.00"  # pre-settle wrote nothing
    settlement, replayed = do_settle(insured.hospital, visit, "key-1", {})
    assert not replayed
    assert settlement.basic_fund == D("25959.17")
    assert settlement.critical_illness == D("3107.67")
    assert settlement.assistance == D("1171.35")
    assert settlement.patient_pay == D("7547.01")
    # The row keeps the answer as shown, and apart from it what only the service reads.
    assert settlement.result == expected
    assert settlement.ytd_delta["basic_paid"] == "25959.17"
    assert settlement.ytd_delta["ci_paid"] == "3107.67"
    assert settlement.fee_line_ids == list(
        FeeDetail.objects.filter(visit=settlement.visit)
        .order_by("line_no")
        .values_list("pk", flat=True)
    )
    assert accumulators(insured.person) == expected["ytd_after"]
    # Ledger: 25959.17 + 3107.67 + 1171.35 = 30238.19 owed to the hospital.
    rows = {r["code"]: r["balance"] for r in balances(insured.plan.region_code, 2026)}
    assert (rows["5101"], rows["5102"], rows["5103"]) == (
        D("25959.17"),
        D("3107.67"),
        D("1171.35"),
    )
    assert rows["2101"] == D("30238.19")
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]


def test_retry_with_the_same_key_returns_the_first_result(insured):
    visit = admit_and_bill(insured)
    first, _ = do_settle(insured.hospital, visit, "same-key", {"note": ""})
    again, replayed = do_settle(insured.hospital, visit, "same-key", {"note": ""})
    assert replayed and again.pk == first.pk
    assert Settlement.objects.count() == 1
    with pytest.raises(Conflict) as exc:
        do_settle(insured.hospital, visit, "same-key", {"note": "不同"})
    assert exc.value.code == "idempotency_key_reuse"


def test_reversal_restores_the_accumulators_exactly_and_only_once(insured):
    preload_example_ytd(insured.person)
    before = accumulators(insured.person)
    visit = admit_and_bill(insured)
    settlement, _ = do_settle(insured.hospital, visit, "k1", {})
    reversal, _ = do_reverse(insured.hospital, settlement.pk, "r1", "收费错误")
    assert reversal.basic_fund == D("-25959.17") and reversal.reverses_id == settlement.pk
    assert accumulators(insured.person) == before
    rows = {r["code"]: r["balance"] for r in balances(insured.plan.region_code, 2026)}
    assert rows["5101"] == D("0.00") and rows["2101"] == D("0.00")
    with pytest.raises(Conflict) as exc:
        do_reverse(insured.hospital, settlement.pk, "r2", "再次冲正")
    assert exc.value.code == "already_reversed"
    # The visit can be settled again after the reversal.
    again, _ = do_settle(insured.hospital, visit, "k2", {})
    assert again.basic_fund == D("25959.17")


def test_only_the_settling_institution_may_reverse(insured):
    visit = admit_and_bill(insured)
    settlement, _ = do_settle(insured.hospital, visit, "k1", {})
    with pytest.raises(NotFound):
        do_reverse(insured.centre, settlement.pk, "r1", "越权冲正")
    assert Settlement.objects.filter(kind="reversal").count() == 0


def test_queries_per_settlement_do_not_grow_with_lines(insured):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    # The first settlement of the year also creates the person's accumulator (the same
    # statement that locks it later in the year); the first of the region's year also
    # creates the ledger accounts.
    for n, visit_no in ((1, "MZ0"), (1, "MZ1"), (8, "MZ8")):
        do_register_visit(
            insured.hospital,
            VisitData(
                id_number=insured.id_number,
                visit_type="outpatient_chronic",
                his_visit_no=visit_no,
                visit_date=DAY(2026, 5, n),
            ),
        )
        fees.do_upload_fees(insured.hospital, visit_no, example_lines()[:1] * n)
        with CaptureQueriesContext(connection) as ctx:
            do_settle(insured.hospital, visit_no, f"key-{visit_no}", {})
        counts.append(len(ctx.captured_queries))
    assert counts[1] == counts[2], counts
    # 16 on 2026-11-24: visit lock, plan, fees, accumulator, coverage (checked again
    # under the accumulator's lock), its update, settlement, visit status, journal entry,
    # postings, the audit append (three statements, two on PostgreSQL), the idempotency
    # record's claim (INSERT … ON CONFLICT DO NOTHING, core/idempotency.py: it replaced the
    # look-up by key; a settlement keeps its key, so no answer is written back) and the
    # savepoint pair around the transaction.
    assert counts[1] <= 16, counts


def test_a_visit_the_funds_pay_nothing_towards_still_settles(insured):
    # One class-C line (目录外): 6800.00 is all self-pay, so basic, critical illness and
    # assistance are 0.00 and there is no ledger entry to post; the settlement stands.
    do_register_visit(
        insured.hospital,
        VisitData(
            id_number=insured.id_number,
            visit_type="outpatient_chronic",
            his_visit_no="MZC",
            visit_date=DAY(2026, 4, 1),
        ),
    )
    fees.do_upload_fees(
        insured.hospital,
        "MZC",
        [fees.FeeLineData(code="ZZ0000000000000001", quantity=D("1"), unit_price=D("6800.00"))],
    )
    settlement, _ = do_settle(insured.hospital, "MZC", "k-c", {})
    assert (settlement.basic_fund, settlement.patient_pay) == (D("0.00"), D("6800.00"))
    reversal, _ = do_reverse(insured.hospital, settlement.pk, "r-c", "退费")
    assert reversal.patient_pay == D("-6800.00")
