"""Properties of the engine over random plans' claims and sequences of visits."""

import copy
from decimal import Decimal
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from huimin.insurance import engine
from huimin.insurance.plan import parse_plan

PLAN = parse_plan(
    yaml.safe_load(
        (Path(__file__).resolve().parents[1] / "examples" / "plan-example.yaml").read_text(
            encoding="utf-8"
        )
    )
)
ZERO = Decimal("0.00")

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("60000"), places=2)
quantity = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("30"), places=1)
line = st.fixed_dictionaries(
    {
        "code": st.just("X"),
        "class": st.sampled_from(["A", "B", "C"]),
        "quantity": quantity.map(str),
        "unit_price": money.map(str),
    },
    optional={"ceiling": money.map(str)},
)
visit = st.fixed_dictionaries(
    {
        "visit_type": st.sampled_from(sorted(PLAN.visit_types)),
        "institution_level": st.sampled_from(["1", "2", "3", "out_of_area"]),
        "lines": st.lists(line, min_size=1, max_size=6),
    }
)


@settings(max_examples=150, deadline=None)
@given(
    visits=st.lists(visit, min_size=1, max_size=12),
    category=st.sampled_from(["ordinary", "dibao", "tekun"]),
)
def test_tiers_add_up_never_negative_and_caps_hold(visits, category):
    ytd = engine.YearToDate()
    for v in visits:
        claim = engine.parse_claim({**v, "person_category": category}, PLAN)
        r = engine.adjudicate(PLAN, claim, ytd)
        assert r.total == r.self_pay + r.b_self_pay + r.eligible
        assert r.total == r.basic_fund + r.critical_illness + r.assistance + r.patient_pay
        for tier in (r.basic_fund, r.critical_illness, r.assistance, r.patient_pay, r.deductible):
            assert tier >= ZERO
        # Insurance never pays more than the eligible amount.
        assert r.basic_fund + r.critical_illness + r.assistance <= r.eligible
        # Round trip through the contract's JSON: the next visit sees the same accumulators.
        ytd = engine.parse_ytd(r.ytd_after.as_json())
        assert ytd == r.ytd_after
        assert ytd.basic_paid <= PLAN.annual_cap
        for code, vt in PLAN.visit_types.items():
            if vt.annual_limit is not None:
                assert ytd.basic_paid_by_type.get(code, ZERO) <= vt.annual_limit
        if category == "ordinary":
            assert ytd.ci_paid <= PLAN.critical_illness.cap
        if category in PLAN.assistance:
            assert ytd.assistance_paid <= PLAN.assistance[category].annual_cap
        else:
            assert ytd.assistance_paid == ZERO


@settings(max_examples=100, deadline=None)
@given(
    visits=st.lists(visit, min_size=2, max_size=8),
    category=st.sampled_from(["ordinary", "dibao", "tekun"]),
    data=st.data(),
)
def test_reversing_any_visit_restores_the_accumulators_exactly(visits, category, data):
    # The service stores each settlement's accumulator delta and a reversal subtracts it
    # (huimin.insurance.ytd.delta/undo, pure): reversing the last visit gives back
    # exactly the year as it was before it, whatever came earlier.
    from huimin.insurance.ytd import delta as _delta
    from huimin.insurance.ytd import undo as _undo

    ytd = engine.YearToDate()
    history = [ytd]
    deltas = []
    for v in visits:
        claim = engine.parse_claim({**v, "person_category": category}, PLAN)
        after = engine.adjudicate(PLAN, claim, ytd).ytd_after
        deltas.append(_delta(ytd, after))
        ytd = after
        history.append(ytd)
    k = data.draw(st.integers(min_value=1, max_value=len(deltas)))
    # Reverse the last k visits, newest first.
    for i in range(k):
        ytd = _undo(ytd, deltas[-1 - i])
    expected = history[-1 - k]
    assert ytd.basic_paid == expected.basic_paid
    assert ytd.ci_base == expected.ci_base and ytd.ci_paid == expected.ci_paid
    assert ytd.assistance_paid == expected.assistance_paid
    for key in set(ytd.basic_paid_by_type) | set(expected.basic_paid_by_type):
        assert ytd.basic_paid_by_type.get(key, ZERO) == expected.basic_paid_by_type.get(key, ZERO)
    for key in set(ytd.deductible_paid_by_type) | set(expected.deductible_paid_by_type):
        assert ytd.deductible_paid_by_type.get(key, ZERO) == expected.deductible_paid_by_type.get(
            key, ZERO
        )


# Plans other than the example: caps, limits and group terms drawn small enough that a
# few visits reach them, and items that carry their own B-class self-pay share.
EXAMPLE = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "examples" / "plan-example.yaml").read_text(
        encoding="utf-8"
    )
)
cap = st.decimals(min_value=Decimal("50"), max_value=Decimal("20000"), places=2)
share = st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=2)


@st.composite
def plans(draw):
    doc = copy.deepcopy(EXAMPLE)
    doc["basic"]["annual_cap"] = str(draw(cap))
    for vt in doc["basic"]["visit_types"].values():
        vt["annual_limit"] = str(draw(cap)) if draw(st.booleans()) else None
        vt["ratio"] = {level: str(draw(share)) for level in vt["ratio"]}
    doc["catalog"]["b_self_ratio"] = str(draw(share))
    doc["groups"]["dibao"] = {"deductible_factor": str(draw(share)), "ratio_bonus": "0.50"}
    doc["critical_illness"]["deductible"] = str(draw(cap))
    doc["critical_illness"]["cap"] = str(draw(cap))
    doc["assistance"]["dibao"]["annual_cap"] = str(draw(cap))
    return parse_plan(doc)


own_share_line = st.fixed_dictionaries(
    {
        "code": st.just("X"),
        "class": st.sampled_from(["A", "B", "C"]),
        "quantity": quantity.map(str),
        "unit_price": money.map(str),
    },
    optional={"ceiling": money.map(str), "b_self_ratio": share.map(str)},
)


@settings(max_examples=150, deadline=None)
@given(plan=plans(), data=st.data(), category=st.sampled_from(["ordinary", "dibao", "tekun"]))
def test_any_plan_adds_up_and_keeps_its_caps(plan, data, category):
    ytd = engine.YearToDate()
    visits = data.draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "visit_type": st.sampled_from(sorted(plan.visit_types)),
                    "institution_level": st.sampled_from(["1", "2", "3", "out_of_area"]),
                    "lines": st.lists(own_share_line, min_size=1, max_size=5),
                }
            ),
            min_size=1,
            max_size=10,
        )
    )
    for v in visits:
        claim = engine.parse_claim({**v, "person_category": category}, plan)
        r = engine.adjudicate(plan, claim, ytd)
        assert r.total == r.self_pay + r.b_self_pay + r.eligible
        assert r.total == r.basic_fund + r.critical_illness + r.assistance + r.patient_pay
        assert min(r.basic_fund, r.critical_illness, r.assistance, r.patient_pay) >= ZERO
        assert r.basic_fund + r.critical_illness + r.assistance <= r.eligible
        ytd = r.ytd_after
        assert ytd.basic_paid <= plan.annual_cap
        for code, vt in plan.visit_types.items():
            if vt.annual_limit is not None:
                assert ytd.basic_paid_by_type.get(code, ZERO) <= vt.annual_limit
        if category == "ordinary":
            assert ytd.ci_paid <= plan.critical_illness.cap
        if category == "dibao":
            assert ytd.assistance_paid <= plan.assistance["dibao"].annual_cap
