"""The scheme and the scoring worked out by hand (pure: no database)."""

from decimal import Decimal as D

import pytest

from huimin.assessment.scheme import SchemeError, default_document, parse_scheme
from huimin.assessment.scoring import clinic_shares, score_region, split, township_funds

SCHEME = """
name: 测试方案
region: "360124"
year: 2026
per_capita_funding: "89.00"
village_share: "0.35"
tiers:
  - {min: 90, ratio: "1.00"}
  - {min: 80, ratio: "0.70"}
  - {min: 60, ratio: "0.50"}
  - {min: 0, ratio: "0"}
indicators:
  - {code: a.rate, weight: 60, rule: linear, target: "0.80"}
  - code: b.rate
    weight: 40
    rule: thresholds
    thresholds: [{at: "0.60", share: "1"}, {at: "0.40", share: "0.5"}]
deductions:
  - {code: record.qualified, below: "0.90", per_point: "0.5", max: "10"}
workload_weights: {htn_followup: "1.0", health_check: "2.0"}
"""


def test_a_township_scored_by_hand_and_its_payout_tier():
    scheme = parse_scheme(SCHEME)
    result = score_region(
        scheme,
        {"a.rate": (D(30), D(50)), "b.rate": (D(9), D(20)), "record.qualified": (D(85), D(100))},
    )
    a, b, q = result.lines
    # 30/50 = 60% of an 80% target: 60 × 0.75
    assert (a.rate, a.points, a.lost) == (D("0.6000"), D("45.00"), D("15.00"))
    # 45% reaches the 40% step: half of 40
    assert (b.points, b.lost) == (D("20.00"), D("20.00"))
    # 85% qualified, 5 points under 90%: 5 × 0.5 off
    assert q.points == D("2.50")
    assert (result.earned, result.deducted, result.score) == (D("65.00"), D("2.50"), D("62.50"))
    assert result.tier.ratio == D("0.50")  # 60 ≤ 62.50 < 80


def test_tier_edges_and_a_region_with_nobody_to_serve():
    scheme = parse_scheme(SCHEME)
    assert scheme.tier_for(D("90.00")).ratio == D("1.00")
    assert scheme.tier_for(D("89.99")).ratio == D("0.70")
    assert scheme.tier_for(D("59.99")).ratio == D("0")
    # No patients registered: the points are not lost; no records: nothing deducted.
    result = score_region(scheme, {})
    assert result.score == D("100.00")


def test_deduction_stops_at_its_max():
    scheme = parse_scheme(SCHEME)
    result = score_region(
        scheme,
        {"a.rate": (D(8), D(10)), "b.rate": (D(6), D(10)), "record.qualified": (D(10), D(100))},
    )
    assert (result.earned, result.deducted, result.score) == (D("100.00"), D("10"), D("90.00"))


def test_funds_follow_population_tier_and_workload_to_the_fen():
    scheme = parse_scheme(SCHEME)
    funds = township_funds(scheme, D(1234), scheme.tier_for(D("62.50")), any_workload=True)
    # 1234 × 89.00 = 109 826.00; half of it; 35% of that to the village clinics
    assert funds.full == D("109826.00")
    assert funds.allocated == D("54913.00")
    assert (funds.village_pool, funds.retained) == (D("19219.55"), D("35693.45"))
    shares = clinic_shares(
        funds.village_pool,
        {"A": D(100), "B": D(50), "C": D(20)},
        {"A": D("0.9"), "B": D(1), "C": None},
    )
    # bases 90 : 50 : 20; rounded down 10810.99, 6006.10, 2402.44; the 2 fen left go to
    # the largest remainders (B .009375, A .006875)
    assert shares == {"A": D("10811.00"), "B": D("6006.11"), "C": D("2402.44")}
    assert sum(shares.values()) == funds.village_pool


def test_split_of_nothing_and_to_nobody():
    assert split(D("100.00"), {"x": D(0)}) == {"x": D("0.00")}
    assert split(D("0.00"), {"x": D(1)}) == {"x": D("0.00")}
    assert split(D("0.03"), {"a": D(1), "b": D(1)}) == {"a": D("0.02"), "b": D("0.01")}


def test_a_bad_scheme_is_refused_whole_naming_item_and_parameter():
    bad = SCHEME.replace('target: "0.80"', "target: 0.8").replace("weight: 40", "weight: 30")
    bad = bad.replace('{min: 0, ratio: "0"}', '{min: 10, ratio: "0"}')
    with pytest.raises(SchemeError) as exc:
        parse_scheme(bad, known_indicators={"a.rate", "record.qualified"})
    problems = exc.value.problems
    assert "indicators[0].target" in problems  # a float, not a quoted decimal
    assert problems["indicators[1].code"] == "未知指标：b.rate"
    assert "tiers[3].min" in problems


def test_weights_must_add_up_to_100():
    with pytest.raises(SchemeError) as exc:
        parse_scheme(SCHEME.replace("weight: 40", "weight: 30"))
    assert exc.value.problems == {"indicators": "各项权重之和应为100，现为90"}


def test_the_shipped_scheme_parses():
    scheme = parse_scheme(default_document("360124", 2027, "某县"))
    assert (scheme.region, scheme.year, scheme.village_share) == ("360124", 2027, D("0.35"))
    assert sum(i.weight for i in scheme.items) == 100
