from decimal import Decimal

from huimin.review.claim import PeerCost
from huimin.review.engine import review_peers
from huimin.review.rules.patterns import robust_z
from huimin.review.ruleset import default_rule_set


def peers(*costs, level="1", cases=100):
    return [PeerCost(f"H{i}", f"卫生院{i}", level, cases, Decimal(c)) for i, c in enumerate(costs)]


def test_an_institution_far_above_its_level_fires():
    group = peers("3000", "3100", "2900", "3050", "2950", "3000", "9000")
    [finding] = review_peers(group, default_rule_set())
    assert finding.subject == "H6"
    assert finding.facts["median"] == "3000.00" and finding.facts["level"] == "一级"
    assert "卫生院6" in finding.explanation and "9000.00" in finding.explanation


def test_a_spread_group_has_no_outlier():
    assert (
        review_peers(peers("2000", "2500", "3000", "3500", "4000", "4500"), default_rule_set())
        == []
    )


def test_far_below_peers_is_not_flagged():
    assert (
        review_peers(peers("3000", "3100", "2900", "3050", "2950", "500"), default_rule_set()) == []
    )


def test_too_few_peers_or_cases_are_not_compared():
    assert review_peers(peers("3000", "3100", "9000"), default_rule_set()) == []
    small = peers("3000", "3100", "2900", "3050", "2950", "3000", "9000", cases=10)
    assert review_peers(small, default_rule_set()) == []


def test_levels_are_compared_apart():
    ones = peers("3000", "3100", "2900", "3050", "2950")
    twos = [PeerCost("C1", "县医院", "2", 100, Decimal("9000"))]
    assert review_peers(ones + twos, default_rule_set()) == []


def test_the_robust_z_score_uses_median_and_mad():
    values = [Decimal(v) for v in ("1", "2", "3", "4", "100")]
    # median 3, deviations 2 1 0 1 97 → MAD 1; 0.6745 × 97 / 1
    assert robust_z(Decimal("100"), values) == Decimal("65.4265")
    # MAD zero: the mean absolute deviation stands in
    flat = [Decimal(v) for v in ("5", "5", "5", "5", "10")]
    assert robust_z(Decimal("10"), flat) == Decimal("5") / (Decimal("1.253314") * Decimal("1"))
    assert robust_z(Decimal("5"), [Decimal("5")] * 4) is None


def test_the_z_in_the_explanation_is_rounded_half_up_to_one_decimal():
    # median 100 and MAD 0.6745, so z = x − 100 exactly: 4.25 shows as 4.3
    group = peers("99.3255", "99.3255", "100", "100", "100.6745", "100.6745", "104.25")
    [finding] = review_peers(group, default_rule_set())
    assert finding.facts["z"] == "4.3"
