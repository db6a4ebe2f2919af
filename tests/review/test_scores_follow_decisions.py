"""Scores follow decisions: a final decision rescores the finding's month for its
institution in the decision's transaction, and a colour change raises its notice.

The worked example's March stay is the hospital's only claim that month, so its score
is 100 × the claim's score. The finding is an information rule (factor 1) weighted
0.10: undecided 100 × 0.10 = 10 (blue), confirmed × 2 = 20 (yellow), dismissed 0."""

# ruff: noqa: F811 (pytest fixtures imported from workflow_support are parameters here)

from decimal import Decimal

import pytest

from huimin.audit.models import SecurityAlert
from huimin.core.errors import ValidationFailed
from huimin.review import scoring, workflow
from huimin.review.models import RiskScore
from huimin.review.ruleset import default_rule_set
from huimin.review.workflow import DecisionIn
from tests.review.workflow_support import (  # noqa: F401 (fixtures)
    hospital_cashier,
    insured,
    make_finding,
    stay,
    third_officer,
)

D = Decimal


@pytest.fixture
def light(stay):
    return make_finding(stay, rule="over_ceiling", weight=D("0.10"))


def hospital_score(insured):
    return RiskScore.objects.get(
        subject_kind="institution", subject=insured.hospital.insurance_code, month="2026-03"
    )


def colour_notices():
    return list(
        SecurityAlert.objects.filter(rule="review.colour_change").values_list(
            "details__from", "details__to"
        )
    )


@pytest.fixture
def scored(insured, light):
    """The nightly batch scored March with the finding still open: blue."""
    scoring.score_month("430522", "2026-03", default_rule_set())
    s = hospital_score(insured)
    assert (s.score, s.colour, s.claim_count) == (D("10.00"), "blue", 1)
    return s


def test_confirming_weighs_the_finding_up_and_the_colour_rises(insured, light, scored):
    workflow.do_decide(insured.officer, light.pk, DecisionIn("confirm", "100.00", "属实"))
    s = hospital_score(insured)
    assert (s.score, s.colour, s.previous_colour) == (D("20.00"), "yellow", "blue")
    assert ("蓝色", "黄色") in colour_notices()


def test_dismissing_drops_the_finding_and_the_colour_falls(insured, light, scored):
    workflow.do_decide(insured.officer, light.pk, DecisionIn("dismiss", reason="价格已备案"))
    s = hospital_score(insured)
    assert (s.score, s.colour, s.previous_colour) == (D("0.00"), "", "blue")
    assert ("蓝色", "无") in colour_notices()


def test_the_score_waits_for_the_second_reviewer(insured, light, scored):
    workflow.do_decide(insured.officer, light.pk, DecisionIn("confirm", "1500.00"))
    assert hospital_score(insured).score == D("10.00")  # pending: as before
    assert colour_notices() == [("无", "蓝色")]  # the batch's, none since
    workflow.do_decide(insured.second_officer, light.pk, DecisionIn("second_approve"))
    s = hospital_score(insured)
    assert (s.score, s.colour) == (D("20.00"), "yellow")


def test_an_appeal_granted_takes_the_finding_out_of_the_score(
    insured, light, scored, hospital_cashier, third_officer
):
    workflow.do_decide(insured.officer, light.pk, DecisionIn("confirm", "100.00", "属实"))
    appeal = workflow.do_file_appeal(hospital_cashier, light.pk, "该项目价格已备案")
    assert hospital_score(insured).score == D("20.00")  # the confirmation stands meanwhile
    workflow.do_decide_appeal(third_officer, appeal.pk, True, "备案属实")
    s = hospital_score(insured)
    assert (s.score, s.colour, s.previous_colour) == (D("0.00"), "", "yellow")
    assert ("黄色", "无") in colour_notices()


def test_a_refused_decision_changes_no_score(insured, light, scored):
    with pytest.raises(ValidationFailed):
        workflow.do_decide(insured.officer, light.pk, DecisionIn("confirm", "99999.00"))
    s = hospital_score(insured)
    assert (s.score, s.colour) == (D("10.00"), "blue")
    assert colour_notices() == [("无", "蓝色")]


def test_a_month_never_scored_gets_its_institutions_score_at_the_decision(insured, light):
    assert not RiskScore.objects.exists()
    workflow.do_decide(insured.officer, light.pk, DecisionIn("confirm", "100.00", "属实"))
    s = hospital_score(insured)
    assert (s.score, s.colour, s.previous_colour) == (D("20.00"), "yellow", "")
    # only the decided finding's institution (and doctor) are scored, not the county
    assert set(RiskScore.objects.values_list("subject_kind", flat=True)) <= {
        "institution",
        "doctor",
    }
    assert RiskScore.objects.filter(subject_kind="institution").count() == 1
