# ruff: noqa: F811  (the insurance fixtures, imported, are parameters here)
"""Settle reuses what real-time review answered at pre-settle for the same claim under the
same rule set, so review costs one statement at settle; anything that changed the claim
or the rules is reviewed again, and a blocking finding refuses the settlement whether or
not the client pre-settled. The statements review adds to a settlement sequence are
counted here: a regression fails."""

import dataclasses
import datetime
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from huimin.review import realtime, rule_sets
from huimin.review.facts import claim_in_hand_for
from huimin.review.models import Finding, PreSettleReview
from tests.insurance.conftest import his, insured  # noqa: F401  (fixtures)
from tests.review.realtime_support import CBC, INJECTION, settle_visit, settlement_of
from tests.review.workflow_support import without_realtime_review

DUPLICATE_INJECTION = [
    {"code": INJECTION, "name": "静脉注射", "quantity": "1", "unit_price": "5.00"},
    {"code": CBC, "name": "血常规", "quantity": "1", "unit_price": "20.00"},
    {"code": INJECTION, "name": "静脉注射", "quantity": "1", "unit_price": "5.00"},
]
CLEAN = [{"code": CBC, "name": "血常规", "quantity": "1", "unit_price": "20.00"}]
# What review adds to a settlement sequence, in statements (docs/BENCHMARKS.md,
# "Real-time claim review"): pre-settle reads the visit with coverage, rule set and the
# stored answer, the fee lines, their catalog versions and the history, and stores its
# answer; settle reads the visit row again and reuses the answer.
PRE_SETTLE_ADDS = 5
SETTLE_ADDS = 1
# Settle without pre-settle (or after a change): the full review, nothing stored.
SETTLE_ALONE_ADDS = 4


def billed(his, insured, no, lines, visit_date="2026-03-02"):
    """Registered, billed and discharged: ready to pre-settle and settle."""
    r = his.post(
        "/visits",
        {
            "id_number": insured.id_number,
            "visit_type": "inpatient",
            "his_visit_no": no,
            "visit_date": visit_date,
            "diagnosis_code": "J18.9",
        },
    )
    assert r.status_code == 201, r.json()
    r = his.post(f"/visits/{no}/fees", {"lines": lines})
    assert r.status_code == 201, r.json()
    r = his.post(f"/visits/{no}/discharge", {"discharge_date": "2026-03-06"})
    assert r.status_code == 200, r.json()


def counted(call):
    with CaptureQueriesContext(connection) as queries:
        r = call()
    return r, len(queries)


def sequence(his, insured, no, lines, *, pre_settle=True):
    """(pre-settle response or None, its statements, settle response, its statements)."""
    billed(his, insured, no, lines)
    pre, pre_n = None, 0
    if pre_settle:
        pre, pre_n = counted(lambda: his.post(f"/visits/{no}/pre-settle", {}))
        assert pre.status_code in (200, 422), pre.json()
    settle, settle_n = counted(lambda: his.post(f"/visits/{no}/settle", {}))
    return pre, pre_n, settle, settle_n


def rules(r) -> list[str]:
    return [f["rule"] for f in r.json()["review_findings"]]


def activate_blocking_duplicates(insured):
    text = rule_sets.default_document("430522", 2026, "新邵县")
    text = text.replace(
        'severity: warning\n    weight: "8"\n    params:\n      kinds',
        'severity: blocking\n    weight: "8"\n    params:\n      kinds',
        1,
    )
    row = rule_sets.do_upload_rule_set(insured.officer, text)
    rule_sets.do_activate_rule_set(insured.second_officer, row.pk)


def test_review_adds_five_statements_to_pre_settle_and_one_to_settle(insured, his):
    sequence(his, insured, "WARM-1", CLEAN)  # statements compiled, the default set parsed
    with without_realtime_review():
        sequence(his, insured, "WARM-2", CLEAN)
        _, pre_off, _, settle_off = sequence(his, insured, "OFF-1", CLEAN)
    pre, pre_on, settle, settle_on = sequence(his, insured, "ON-1", CLEAN)

    assert pre.status_code == 200 and settle.status_code == 201, settle.json()
    assert (pre_on - pre_off, settle_on - settle_off) == (PRE_SETTLE_ADDS, SETTLE_ADDS)


def test_a_settlement_without_pre_settle_is_reviewed_in_full(insured, his):
    sequence(his, insured, "WARM-1", CLEAN, pre_settle=False)
    with without_realtime_review():
        _, _, _, settle_off = sequence(his, insured, "OFF-1", CLEAN, pre_settle=False)
    _, _, settle, settle_on = sequence(his, insured, "ON-1", CLEAN, pre_settle=False)
    assert settle.status_code == 201, settle.json()
    assert settle_on - settle_off == SETTLE_ALONE_ADDS


def test_settle_answers_the_pre_settlements_findings_and_stores_them_once(insured, his):
    sequence(his, insured, "WARM-1", CLEAN)
    with without_realtime_review():
        _, _, _, settle_off = sequence(his, insured, "OFF-1", DUPLICATE_INJECTION)
    pre, _, settle, settle_on = sequence(his, insured, "ON-1", DUPLICATE_INJECTION)

    assert "duplicate_charge" in rules(pre)
    assert settle.status_code == 201, settle.json()
    assert settle.json()["review_findings"] == pre.json()["review_findings"]
    # The visit row with the stored answer, and the findings' one INSERT.
    assert settle_on - settle_off == SETTLE_ADDS + 1
    stored = Finding.objects.get(rule="duplicate_charge")
    assert stored.settlement_id == settle.json()["settlement_id"]
    assert stored.lines == [1, 3] and stored.category == "item"


def test_lines_cancelled_after_pre_settle_are_reviewed_again(insured, his):
    billed(his, insured, "ZY-1", DUPLICATE_INJECTION)
    pre = his.post("/visits/ZY-1/pre-settle", {})
    assert "duplicate_charge" in rules(pre)
    r = his.post("/visits/ZY-1/fees/cancel", {"line_nos": [3]})
    assert r.status_code == 200, r.json()

    settle = his.post("/visits/ZY-1/settle", {})

    assert settle.status_code == 201, settle.json()
    assert "duplicate_charge" not in rules(settle)
    assert not Finding.objects.filter(rule="duplicate_charge").exists()


def test_a_rule_set_activated_after_pre_settle_decides_the_settlement(insured, his):
    billed(his, insured, "ZY-1", DUPLICATE_INJECTION)
    pre = his.post("/visits/ZY-1/pre-settle", {})
    assert pre.status_code == 200 and "duplicate_charge" in rules(pre)  # a warning then
    activate_blocking_duplicates(insured)

    settle = his.post("/visits/ZY-1/settle", {})

    assert settle.status_code == 422, settle.json()
    assert settle.json()["error"]["code"] == "review_blocked"
    assert "第1行（静脉注射）" in settle.json()["error"]["message"]


def test_a_blocking_answer_at_pre_settle_refuses_the_settlement_too(insured, his):
    activate_blocking_duplicates(insured)
    billed(his, insured, "ZY-1", DUPLICATE_INJECTION)
    pre = his.post("/visits/ZY-1/pre-settle", {})
    assert pre.status_code == 422 and pre.json()["error"]["code"] == "review_blocked"
    assert not PreSettleReview.objects.exists()  # a refused request writes nothing

    settle = his.post("/visits/ZY-1/settle", {})

    assert settle.status_code == 422 and settle.json()["error"]["code"] == "review_blocked"
    assert settle.json()["error"]["message"] == pre.json()["error"]["message"]


def test_an_old_pre_settlement_answer_is_not_reused(insured, his):
    sequence(his, insured, "WARM-1", CLEAN)
    billed(his, insured, "ZY-1", CLEAN)
    assert his.post("/visits/ZY-1/pre-settle", {}).status_code == 200
    fresh = PreSettleReview.objects.get(visit__his_visit_no="ZY-1")
    PreSettleReview.objects.filter(pk=fresh.pk).update(
        checked_at=fresh.checked_at - datetime.timedelta(seconds=realtime.REUSE_SECONDS + 1)
    )
    with without_realtime_review():
        _, _, _, settle_off = sequence(his, insured, "OFF-1", CLEAN)

    settle, settle_on = counted(lambda: his.post("/visits/ZY-1/settle", {}))

    assert settle.status_code == 201, settle.json()
    assert settle_on - settle_off == SETTLE_ALONE_ADDS


def test_pre_settling_again_replaces_the_stored_answer(insured, his):
    billed(his, insured, "ZY-1", DUPLICATE_INJECTION)
    assert "duplicate_charge" in rules(his.post("/visits/ZY-1/pre-settle", {}))
    assert his.post("/visits/ZY-1/fees/cancel", {"line_nos": [3]}).status_code == 200
    again = his.post("/visits/ZY-1/pre-settle", {})

    assert "duplicate_charge" not in rules(again)
    stored = PreSettleReview.objects.get(visit__his_visit_no="ZY-1")
    assert [r["rule"] for r in stored.results] == rules(again)


def test_an_idempotent_retry_answers_the_same_findings(insured, his):
    billed(his, insured, "ZY-1", DUPLICATE_INJECTION)
    pre = his.post("/visits/ZY-1/pre-settle", {})
    first = his.post("/visits/ZY-1/settle", {}, HTTP_IDEMPOTENCY_KEY="settle-ZY-1")
    again = his.post("/visits/ZY-1/settle", {}, HTTP_IDEMPOTENCY_KEY="settle-ZY-1")

    assert first.status_code == 201 and again.status_code == 200 and again.json()["replayed"]
    assert again.json()["review_findings"] == first.json()["review_findings"]
    assert first.json()["review_findings"] == pre.json()["review_findings"]
    assert Finding.objects.filter(rule="duplicate_charge").count() == 1


def test_cpu_of_review_per_settlement_sequence(insured, his):
    """This process's CPU for review's part of one sequence — pre-settle's full check and
    its stored answer, settle's reuse — over a 10-line outpatient-sized claim; the figure
    is in docs/review.md. Generous bound: the machine is shared."""
    settlement = settlement_of(settle_visit(his, insured, lines=DUPLICATE_INJECTION * 3))
    pre = claim_in_hand_for(settlement, stage="pre_settle")
    settle = dataclasses.replace(pre, stage="settle")
    realtime.CHECKER.check(pre)
    assert realtime.CHECKER.check(settle) == realtime.CHECKER.check(pre)
    n = 200
    timings = {}
    for label, claims in (("full", (pre,)), ("reused", (settle,)), ("sequence", (pre, settle))):
        start = time.process_time()
        for _ in range(n):
            for claim in claims:
                realtime.CHECKER.check(claim)
        timings[label] = (time.process_time() - start) * 1000 / n
    print(
        "real-time review CPU: pre-settle check {full:.2f} ms, settle reusing it "
        "{reused:.2f} ms, per sequence {sequence:.2f} ms".format(**timings)
    )
    assert timings["reused"] < timings["full"]
    assert timings["sequence"] < 6
