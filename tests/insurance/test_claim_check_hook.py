"""The claim-check hook point (insurance/claim_checks.py): the review rules the review
app registers run on every pre-settlement and settlement. A blocking finding refuses the
claim with nothing written; warnings come back with the answer (and again on a retry
with the same key) and reach the checker once the settlement row exists."""

import json
from decimal import Decimal

import pytest

from huimin.core.models import IdempotencyRecord
from huimin.insurance import claim_checks
from huimin.insurance.claim_checks import CheckResult
from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.models import Accumulator, FeeDetail, Settlement, Visit
from tests.insurance.conftest import EXAMPLES, preload_example_ytd
from tests.insurance.test_cashier_counter_flow import billed_visit, counter_client, settle


class Rule:
    """A checker as the review app writes one: pure over the claim, told of the
    settlement afterwards. It remembers what it saw."""

    def __init__(self, severity: str, rule="too_many_days", message="住院天数超过同病种常见天数"):
        self.severity = severity
        self.rule = rule
        self.message = message
        self.seen: list[claim_checks.ClaimInHand] = []
        self.settled_calls: list[tuple] = []

    def check(self, claim):
        self.seen.append(claim)
        return [
            CheckResult(
                rule=self.rule,
                name="住院天数异常",
                severity=self.severity,
                message=self.message,
                lines=(2,),
                facts={"days": "18"},
            )
        ]

    def settled(self, claim, settlement_id, results):
        # Inside the settlement's transaction, after the row is written.
        self.settled_calls.append(
            (claim.stage, settlement_id, Settlement.objects.filter(pk=settlement_id).exists())
        )


@pytest.fixture
def registered():
    added = []

    def register(checker):
        claim_checks.register(checker)
        added.append(checker)
        return checker

    yield register
    for checker in added:
        claim_checks.unregister(checker)


def discharged_visit(insured, his, no="ZY-1") -> None:
    """The shared example's stay, billed and discharged, on top of the example's year."""
    preload_example_ytd(insured.person)
    body = {
        "id_number": insured.id_number,
        "visit_type": "inpatient",
        "his_visit_no": no,
        "visit_date": "2026-03-02",
    }
    assert his.post("/visits", body).status_code == 201
    claim = json.loads((EXAMPLES / "claim-example.json").read_text())
    lines = [
        {k: ln[k] for k in ("code", "name", "quantity", "unit_price")} for ln in claim["lines"]
    ]
    assert his.post(f"/visits/{no}/fees", {"lines": lines}).status_code == 201
    assert his.post(f"/visits/{no}/discharge", {"discharge_date": "2026-03-20"}).status_code == 200


def test_a_blocking_finding_refuses_the_settlement_and_writes_nothing(insured, his, registered):
    discharged_visit(insured, his)
    blocker = registered(Rule("blocking", rule="not_insured", message="就诊时参保人不在参保期"))
    r = his.post("/visits/ZY-1/settle", {}, HTTP_IDEMPOTENCY_KEY="settle-ZY-1")
    assert r.status_code == 422
    assert r.json()["error"] == {
        "code": "review_blocked",
        "message": "就诊时参保人不在参保期",
        "fields": {"not_insured": "就诊时参保人不在参保期"},
    }
    assert not Settlement.objects.exists()
    assert not JournalEntry.objects.filter(source_type="settlement").exists()
    assert Accumulator.objects.get().basic_paid == Decimal("3200.00")
    assert Visit.objects.get(his_visit_no="ZY-1").status == "discharged"
    assert blocker.settled_calls == []
    # The refusal is not the key's answer: once the cause is gone, the same key settles.
    assert not IdempotencyRecord.objects.filter(key="settle-ZY-1").exists()
    claim_checks.unregister(blocker)
    again = his.post("/visits/ZY-1/settle", {}, HTTP_IDEMPOTENCY_KEY="settle-ZY-1")
    assert again.status_code == 201, again.json()
    assert again.json()["review_findings"] == []


def test_a_warning_is_returned_stored_and_replayed(insured, his, registered):
    discharged_visit(insured, his)
    rule = registered(Rule("warning"))
    r = his.post("/visits/ZY-1/settle", {}, HTTP_IDEMPOTENCY_KEY="settle-ZY-1")
    assert r.status_code == 201, r.json()
    finding = {
        "rule": "too_many_days",
        "name": "住院天数异常",
        "severity": "warning",
        "message": "住院天数超过同病种常见天数",
        "lines": [2],
    }
    assert r.json()["review_findings"] == [finding]
    assert r.json()["result"]["patient_pay"] == "7547.01"  # the claim went through
    s = Settlement.objects.get()
    assert rule.settled_calls == [("settle", s.pk, True)]

    # What the checker saw: the claim as adjudicated, on the year so far.
    (claim,) = rule.seen
    assert claim.stage == "settle"
    assert claim.visit_id == s.visit_id and claim.person_id == insured.person.pk
    assert claim.institution_id == his.onboarded.institution.pk
    assert claim.region_code == insured.person.village_id and claim.year == 2026
    assert claim.visit_type == "inpatient"
    assert str(claim.visit_date) == "2026-03-02" and str(claim.discharge_date) == "2026-03-20"
    assert claim.basic_ytd_before == Decimal("3200.00")
    assert claim.basic_this == Decimal("25959.17")  # settlement-example.json
    assert claim.annual_cap == Decimal("150000.00")  # plan-example.yaml
    assert claim.operator_id is None and claim.terminal == his.onboarded.terminal
    live = FeeDetail.objects.filter(visit_id=s.visit_id, cancelled=False).order_by("line_no")
    assert list(claim.fee_line_ids) == [f.pk for f in live] == s.fee_line_ids

    again = his.post("/visits/ZY-1/settle", {}, HTTP_IDEMPOTENCY_KEY="settle-ZY-1")
    assert again.status_code == 200 and again.json()["replayed"]
    assert again.json()["review_findings"] == [finding]
    assert len(rule.seen) == 1 and len(rule.settled_calls) == 1  # a replay runs nothing


def test_pre_settlement_runs_the_checks_too(insured, his, registered):
    discharged_visit(insured, his)
    rule = registered(Rule("information", message="本次为年度第三次住院"))
    r = his.post("/visits/ZY-1/pre-settle", {})
    assert r.status_code == 200
    assert [f["message"] for f in r.json()["review_findings"]] == ["本次为年度第三次住院"]
    assert r.json()["patient_pay"] == "7547.01"
    assert rule.seen[0].stage == "pre_settle" and rule.settled_calls == []

    registered(Rule("blocking", rule="duplicate_claim", message="疑似重复结算"))
    refused = his.post("/visits/ZY-1/pre-settle", {})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "review_blocked"
    assert refused.json()["error"]["fields"] == {"duplicate_claim": "疑似重复结算"}


def test_the_claim_in_hand_fingerprints_its_lines_and_says_what_the_funds_pay(
    insured, his, registered
):
    """What lets a checker reuse its pre-settlement answer at settle: the same lines give
    the same fingerprint at both stages, a changed line set another one."""
    discharged_visit(insured, his)
    rule = registered(Rule("information"))
    assert his.post("/visits/ZY-1/pre-settle", {}).status_code == 200
    assert his.post("/visits/ZY-1/pre-settle", {}).status_code == 200
    assert his.post("/visits/ZY-1/fees/cancel", {"line_nos": [2]}).status_code == 200
    assert his.post("/visits/ZY-1/settle", {}).status_code == 201

    first, second, settled = rule.seen
    assert (first.stage, settled.stage) == ("pre_settle", "settle")
    assert first.lines_digest == second.lines_digest and len(first.lines_digest) == 32
    assert settled.lines_digest != first.lines_digest
    assert len(settled.fee_line_ids) == len(first.fee_line_ids) - 1
    s = Settlement.objects.get()
    assert settled.fund_paid == s.basic_fund + s.critical_illness + s.assistance
    assert settled.fund_paid > 0


def test_without_a_checker_the_answers_carry_no_findings(insured, his):
    discharged_visit(insured, his)
    assert his.post("/visits/ZY-1/pre-settle", {}).json()["review_findings"] == []
    settled = his.post("/visits/ZY-1/settle", {})
    assert settled.status_code == 201 and settled.json()["review_findings"] == []


def test_registering_the_same_checker_twice_runs_it_once(registered):
    rule = Rule("warning")
    registered(rule)
    registered(rule)
    assert claim_checks._checkers.count(rule) == 1


def test_the_cashier_sees_warnings_on_pre_settlement_and_after_settling(
    client, insured, registered
):
    registered(Rule("warning", message="氯吡格雷单次用量偏大"))
    counter_client(client, insured.hospital)
    visit = billed_visit(client, insured)
    page = client.get(f"/insurance/cashier/visits/{visit.pk}/pre-settle/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="notice"' in html and "氯吡格雷单次用量偏大" in html

    done = settle(client, visit)
    assert done.status_code == 302
    receipt = client.get(done["Location"]).content.decode()
    assert "审核提示：氯吡格雷单次用量偏大" in receipt


def test_a_blocked_settlement_at_the_counter_shows_why_and_writes_nothing(
    client, insured, registered
):
    registered(Rule("blocking", rule="not_insured", message="就诊时参保人不在参保期"))
    counter_client(client, insured.hospital)
    visit = billed_visit(client, insured)
    response = settle(client, visit)
    assert response.status_code == 422
    assert "就诊时参保人不在参保期" in response.content.decode()
    assert not Settlement.objects.exists()
