# ruff: noqa: F811  (the insurance fixtures, imported, are parameters here)
"""Real-time review over a settlement made through the institution API: the facts come
from the tables, a blocking rule refuses, a warning is stored once per rule and
settlement however often it is reported."""

import datetime
import time
from decimal import Decimal

from huimin.insurance import claim_checks
from huimin.insurance.models import Settlement
from huimin.review import realtime, rule_sets
from huimin.review.facts import claim_in_hand_for
from huimin.review.fingerprints import claim_fingerprint
from huimin.review.models import Finding
from tests.insurance.conftest import his, insured  # noqa: F401  (fixtures)
from tests.review.realtime_support import CBC, INJECTION, settle_visit, settlement_of

D = datetime.date


def _duplicate_injection_lines():
    return [
        {
            "code": INJECTION,
            "name": "静脉注射",
            "quantity": "1",
            "unit_price": "5.00",
            "fee_date": "2026-03-03",
        },
        {
            "code": CBC,
            "name": "血常规",
            "quantity": "1",
            "unit_price": "20.00",
            "fee_date": "2026-03-03",
        },
        {
            "code": INJECTION,
            "name": "静脉注射",
            "quantity": "1",
            "unit_price": "5.00",
            "fee_date": "2026-03-03",
        },
    ]


def test_the_checker_is_registered_with_the_settlement_hook():
    assert any(c is realtime.CHECKER for c in claim_checks._checkers)


def test_a_patient_recorded_dead_before_the_visit_is_blocked_with_the_explanation(
    insured,
    his,
):
    settlement = settlement_of(settle_visit(his, insured))
    # Registered dead afterwards, with a death date before the admission: a settlement
    # made now for that visit must be refused at the counter.
    insured.person.death_date = D(2026, 2, 20)
    insured.person.save(update_fields=["death_date"])
    claim = claim_in_hand_for(settlement, stage="pre_settle")

    results = realtime.CHECKER.check(claim)

    blocking = [r for r in results if r.severity == "blocking"]
    assert [r.rule for r in blocking] == ["deceased"]
    assert "2026-02-20" in blocking[0].message and "死亡" in blocking[0].message
    assert blocking[0].name == "死亡后就医"


def test_a_duplicate_charge_is_a_warning_stored_once_with_what_the_funds_paid(
    insured,
    his,
):
    settlement = settlement_of(settle_visit(his, insured, lines=_duplicate_injection_lines()))
    claim = claim_in_hand_for(settlement)

    results = realtime.CHECKER.check(claim)
    duplicate = [r for r in results if r.rule == "duplicate_charge"]
    assert len(duplicate) == 1 and duplicate[0].severity == "warning"
    assert duplicate[0].lines == (1, 3)
    assert "第1行（静脉注射）、第3行（静脉注射）" in duplicate[0].message
    assert not any(r.severity == "blocking" for r in results)

    realtime.CHECKER.settled(claim, settlement.pk, results)
    realtime.CHECKER.settled(claim, settlement.pk, results)  # an idempotent retry

    stored = Finding.objects.get(settlement=settlement, rule="duplicate_charge")
    assert Finding.objects.filter(settlement=settlement).count() == len(results)
    assert stored.source == "realtime" and stored.status == "open"
    assert stored.fingerprint == claim_fingerprint("duplicate_charge", settlement.pk)
    assert stored.visit_id == settlement.visit_id
    assert stored.person_id == insured.person.pk
    assert stored.institution_id == settlement.institution_id
    assert stored.region_code == insured.person.village_id
    assert stored.service_date == D(2026, 3, 2) and stored.month == "2026-03"
    assert stored.category == "item" and stored.weight == Decimal("8.00")
    assert stored.lines == [1, 3]
    assert stored.fund_paid == (
        settlement.basic_fund + settlement.critical_illness + settlement.assistance
    )
    assert "默认" in stored.rule_set_name  # no local set activated: the default, named


def test_blocking_results_are_never_stored(insured, his):
    settlement = settlement_of(settle_visit(his, insured))
    claim = claim_in_hand_for(settlement)
    blocked = claim_checks.CheckResult("deceased", "死亡后就医", "blocking", "疑似死亡后就医")
    realtime.CHECKER.settled(claim, settlement.pk, [blocked])
    assert not Finding.objects.filter(settlement=settlement).exists()


def test_a_clean_claim_has_no_findings(insured, his):
    settlement = settlement_of(settle_visit(his, insured))
    assert realtime.CHECKER.check(claim_in_hand_for(settlement)) == []


def test_facts_and_review_take_four_queries(insured, his, django_assert_num_queries):
    # The visit with coverage, rule set and stored answer; fee lines; catalog versions;
    # history. (Settle after a pre-settlement of the same claim: test_realtime_reuse.)
    settlement = settlement_of(settle_visit(his, insured, lines=_duplicate_injection_lines()))
    claim = claim_in_hand_for(settlement)
    realtime.CHECKER.check(claim)  # statements compiled, rule set parsed
    with django_assert_num_queries(4):
        results = realtime.CHECKER.check(claim)
    assert results


def test_cpu_per_check_is_under_two_milliseconds(insured, his):
    """CPU of check() per settlement over an inpatient claim of 40 lines with history;
    the figure is in docs/review.md. Generous bound: the machine is shared."""
    lines = [
        {
            "code": CBC,
            "name": "血常规",
            "quantity": "1",
            "unit_price": "20.00",
            "fee_date": f"2026-03-{2 + i % 4:02d}",
        }
        for i in range(20)
    ] + [
        {
            "code": INJECTION,
            "name": "静脉注射",
            "quantity": "2",
            "unit_price": "5.00",
            "fee_date": f"2026-03-{2 + i % 4:02d}",
        }
        for i in range(20)
    ]
    for n in range(3):  # three earlier stays: the history the rules walk
        day = 5 + 6 * n
        settle_visit(
            his,
            insured,
            f"ZY-H{n}",
            visit_date=f"2026-01-{day:02d}",
            discharge=f"2026-01-{day + 2:02d}",
            diagnosis="K29.7",
        )
    settlement = settlement_of(settle_visit(his, insured, lines=lines))
    claim = claim_in_hand_for(settlement)
    realtime.CHECKER.check(claim)
    n = 200
    start = time.process_time()
    for _ in range(n):
        realtime.CHECKER.check(claim)
    per_check_ms = (time.process_time() - start) * 1000 / n
    print(f"real-time review CPU per settlement: {per_check_ms:.2f} ms")
    assert per_check_ms < 6


# ---------------------------------------------------------------- through the 2207 API
# Insurance's settlement calls the hook (huimin/insurance/claim_checks.py).


def _activate(insured, document):
    row = rule_sets.do_upload_rule_set(insured.officer, document)
    rule_sets.do_activate_rule_set(insured.second_officer, row.pk)


def test_a_blocking_finding_refuses_the_settlement_with_its_explanation(insured, his):
    text = rule_sets.default_document("430522", 2026, "新邵县")
    text = text.replace(
        'severity: warning\n    weight: "8"\n    params:\n      kinds',
        'severity: blocking\n    weight: "8"\n    params:\n      kinds',
        1,
    )
    _activate(insured, text)
    r = settle_visit(his, insured, lines=_duplicate_injection_lines())
    assert r.status_code == 422, r.json()
    error = r.json()["error"]
    assert error["code"] == "review_blocked"
    assert "疑似重复收费" in error["message"] and "第1行（静脉注射）" in error["message"]
    assert not Settlement.objects.exists() and not Finding.objects.exists()


def test_a_warning_comes_back_with_the_settlement_and_is_stored_once(insured, his):
    r = settle_visit(his, insured, lines=_duplicate_injection_lines(), key="settle-dup-1")
    assert r.status_code == 201, r.json()
    shown = [f for f in r.json()["review_findings"] if f["rule"] == "duplicate_charge"]
    assert shown and shown[0]["severity"] == "warning" and shown[0]["lines"] == [1, 3]
    stored = Finding.objects.get(rule="duplicate_charge")
    assert stored.settlement_id == r.json()["settlement_id"]

    again = his.post("/visits/ZY-1/settle", {}, HTTP_IDEMPOTENCY_KEY="settle-dup-1")
    assert again.status_code == 200 and again.json()["replayed"]
    assert again.json()["review_findings"] == r.json()["review_findings"]
    assert Finding.objects.filter(rule="duplicate_charge").count() == 1
