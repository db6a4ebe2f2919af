"""The weighted risk score and the four-colour warning (四色预警)."""

import dataclasses
from decimal import Decimal

from huimin.review.claim import History
from huimin.review.engine import Finding, colour, review, risk_score
from huimin.review.ruleset import default_rule_set

from .builders import inpatient, line, person


def finding(rule, severity, weight):
    return Finding(rule, rule, "item", severity, Decimal(weight), "疑似…，请核实")


def test_the_score_is_weight_times_severity_factor_summed_over_rules():
    found = [
        finding("a", "blocking", "10"),
        finding("b", "warning", "5"),
        finding("c", "information", "2.5"),
    ]
    # factors 3, 2, 1
    assert risk_score(found, default_rule_set()) == Decimal("42.5")


def test_a_rule_firing_many_times_counts_once():
    found = [finding("a", "warning", "8")] * 5
    assert risk_score(found, default_rule_set()) == Decimal("16")


def test_no_findings_score_zero_and_no_colour():
    rs = default_rule_set()
    assert risk_score([], rs) == 0
    assert colour(Decimal(0), rs) is None


def test_colours_at_and_between_the_thresholds():
    rs = default_rule_set()  # red 60, orange 30, yellow 15, blue 5
    expected = {
        "4.99": None,
        "5": "blue",
        "14.9": "blue",
        "15": "yellow",
        "29.99": "yellow",
        "30": "orange",
        "59": "orange",
        "60": "red",
        "500": "red",
    }
    assert {s: colour(Decimal(s), rs) for s in expected} == expected


def test_thresholds_come_from_the_rule_set():
    rs = default_rule_set()
    rs = dataclasses.replace(rs, colours={**rs.colours, "red": Decimal("40")})
    assert colour(Decimal("45"), rs) == "red"


def test_a_claim_reviewed_end_to_end_gets_its_colour():
    rs = default_rule_set()
    claim = inpatient(person=person(coverage=()), lines=(line(1), line(2)))
    found = review(claim, History(), rs)
    # not insured 40 × 3 + duplicate charge 8 × 2
    assert risk_score(found, rs) == Decimal("136")
    assert colour(risk_score(found, rs), rs) == "red"
