"""Monthly scores per institution and doctor, the four colours, the colour change."""

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
