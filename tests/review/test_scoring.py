"""Monthly scores per institution and doctor, the four colours, the colour change."""

import dataclasses
from decimal import Decimal

import pytest

from huimin.review import scoring
from huimin.review.models import Finding, RiskScore
from huimin.review.ruleset import default_rule_set
from tests.review.batch.support import Claims, D, run


@pytest.fixture
def claims(county):
    return Claims()


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        (None, None, None),
        ("", None, None),
        ("yellow", "yellow", None),
        (None, "blue", "up"),
        ("yellow", "red", "up"),
        ("red", "orange", "down"),
        ("blue", None, "down"),
    ],
)
def test_colour_change(before, after, change):
    assert scoring.colour_change(before, after) == change


def test_score_per_hundred_claims():
    # two split admissions (15 × 2 each) among 100 claims: 60, red
    assert scoring.normalised(Decimal("60"), 100, Decimal("0")) == Decimal("60.00")
    # one duplicate charge (8 × 2) among 3 claims, and a burst (20 × 2) at a terminal
    assert scoring.normalised(Decimal("16"), 3, Decimal("40")) == Decimal("573.33")
    assert scoring.normalised(Decimal("0"), 0, Decimal("0")) == Decimal("0.00")


def test_month_scores_count_each_rule_once_per_claim_and_skip_dismissed(claims, db):
    claims.item("S1", "service", "血常规")
    dup = [("S1", "血常规", 1, "20")] * 2
    # one claim with two duplicated pairs on two days: duplicate_charge counts once
    claims.settle(
        doctor="DOC1",
        lines=[
            *dup,
            ("S1", "血常规", 1, "20", D(2026, 3, 2)),
            ("S1", "血常规", 1, "20", D(2026, 3, 2)),
        ],
    )
    for _ in range(3):
        claims.settle(doctor="DOC1", lines=[("S1", "血常规", 1, "20")])
    second = claims.settle(doctor="DOC2", lines=dup)
    run(["duplicate_charge"])
    rows = scoring.score_month("430522", "2026-03", default_rule_set())
    by = {(r.subject_kind, r.subject): r for r in rows}
    inst = by[("institution", claims.hospital.insurance_code)]
    # two claims scored 16 (8 × 2) among five: 100 × 32 / 5 = 640
    assert (inst.score, inst.colour, inst.claim_count) == (Decimal("640.00"), "red", 5)
    doc1 = by[("doctor", "DOC1")]
    assert (doc1.score, doc1.colour, doc1.claim_count) == (Decimal("400.00"), "red", 4)
    # a reviewer dismisses DOC2's finding: the rescore drops it and remembers red
    Finding.objects.filter(settlement=second).update(status="dismissed")
    scoring.score_month("430522", "2026-03", default_rule_set())
    doc2 = RiskScore.objects.get(subject_kind="doctor", subject="DOC2", month="2026-03")
    assert (doc2.score, doc2.colour, doc2.previous_colour) == (Decimal("0.00"), "", "red")


# ---------------------------------------------------------------- scores follow decisions


def test_a_findings_value_follows_its_decision():
    rs = default_rule_set()  # warning factor 2, confirmed factor 2
    assert rs.confirmed_factor == Decimal("2")
    split = (Decimal("15"), "warning")
    assert scoring.finding_value(*split, "open", rs) == Decimal("30")
    assert scoring.finding_value(*split, "pending_second", rs) == Decimal("30")
    assert scoring.finding_value(*split, "inspection", rs) == Decimal("30")
    assert scoring.finding_value(*split, "confirmed", rs) == Decimal("60")
    # an appeal pending leaves the confirmation standing; granted, the finding is dismissed
    assert scoring.finding_value(*split, "appealed", rs) == Decimal("60")
    assert scoring.finding_value(*split, "dismissed", rs) == Decimal("0")
    # information (factor 1) with a fractional weight stays exact
    assert scoring.finding_value(Decimal("0.15"), "information", "confirmed", rs) == Decimal("0.30")


def test_a_claims_score_takes_each_rule_once_at_its_decided_value():
    rs = dataclasses.replace(default_rule_set(), confirmed_factor=Decimal("1.5"))
    findings = [
        ("duplicate_charge", Decimal("8"), "warning", "open"),  # 16
        ("duplicate_charge", Decimal("8"), "warning", "confirmed"),  # 24: the rule's value
        ("split_admission", Decimal("15"), "warning", "dismissed"),  # 0
        ("over_ceiling", Decimal("5"), "information", "pending_second"),  # 5
    ]
    assert scoring.claim_score(findings, rs) == Decimal("29.0")
    # the institution's month: one such claim among 4 → 100 × 29 / 4
    assert scoring.normalised(Decimal("29.0"), 4, Decimal(0)) == Decimal("725.00")


@pytest.mark.parametrize(
    ("old", "new", "rescore"),
    [
        ("open", "confirmed", True),
        ("open", "dismissed", True),
        ("inspection", "confirmed", True),
        ("pending_second", "confirmed", True),
        ("appealed", "dismissed", True),
        ("open", "pending_second", False),  # waits for the second reviewer
        ("open", "inspection", False),
        ("pending_second", "open", False),
        ("confirmed", "appealed", False),
        ("appealed", "confirmed", False),  # upheld: it weighed as confirmed all along
    ],
)
def test_only_a_final_decision_rescores(old, new, rescore):
    assert scoring.weighs_differently(old, new) is rescore
