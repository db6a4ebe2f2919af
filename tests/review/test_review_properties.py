"""Over arbitrary claims and histories, review() never fails, every finding's lines
exist, and every explanation is fully rendered. Pure, a few dozen examples per run."""

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from huimin.review.claim import (
    CapPosition,
    Claim,
    CoveragePeriod,
    Dispensing,
    History,
    Institution,
    Item,
    Line,
    PastStay,
    PastVisit,
    Person,
)
from huimin.review.engine import colour, review, risk_score
from huimin.review.ruleset import default_rule_set

START = datetime.date(2026, 1, 1)
days = st.integers(0, 364).map(lambda n: START + datetime.timedelta(days=n))
codes = st.sampled_from(["A1", "A2", "BED", "ALT", "LIVER", "X1"])
diagnoses = st.sampled_from(["I21.0", "I25.1", "J06.9", "O80.0", "N40", "Z51.1", "C34.1"])
institutions = st.sampled_from(["H1", "H2", "H3"])
amounts = st.decimals(0, 10000, places=2)


@st.composite
def items(draw):
    return Item(
        kind=draw(st.sampled_from(["drug", "service", "consumable"])),
        category=draw(st.sampled_from(["bed", "nursing", "drug", "lab", "other"])),
        sex=draw(st.sampled_from(["", "1", "2"])),
        age_min=draw(st.none() | st.integers(0, 60)),
        levels=draw(st.sampled_from([(), ("2", "3")])),
        physiological_sex=draw(st.sampled_from(["", "2"])),
        max_quantity_per_day=draw(st.none() | st.decimals(1, 5, places=0)),
        day_based=draw(st.booleans()),
        mue=draw(st.none() | st.decimals(1, 5, places=0)),
        components=draw(st.sampled_from([frozenset(), frozenset({"ALT"})])),
        qualification=draw(st.sampled_from(["", "surgery_3"])),
    )


@st.composite
def claims(draw):
    admission = draw(days)
    inpatient = draw(st.booleans())
    n = draw(st.integers(0, 8))
    lines = tuple(
        Line(
            number=i + 1,
            code=draw(codes),
            name="项目",
            cls="A",
            quantity=draw(st.decimals(1, 9, places=0)),
            unit_price=draw(amounts),
            ceiling=draw(st.none() | amounts),
            service_date=admission + datetime.timedelta(days=draw(st.integers(0, 5))),
            item=draw(items()),
            days_supply=draw(st.none() | st.integers(1, 60)),
        )
        for i in range(n)
    )
    before = draw(amounts)
    return Claim(
        id="S",
        person=Person(
            "p",
            draw(st.sampled_from(["1", "2"])),
            datetime.date(draw(st.integers(1930, 2025)), 6, 1),
            death_date=draw(st.none() | days),
            coverage=draw(
                st.sampled_from([(), (CoveragePeriod(START, START.replace(month=12, day=31)),)])
            ),
        ),
        institution=Institution(draw(institutions), "机构", draw(st.sampled_from(["1", "2"]))),
        visit_type="inpatient" if inpatient else "outpatient_general",
        admission_date=admission,
        discharge_date=admission + datetime.timedelta(days=draw(st.integers(0, 20)))
        if inpatient
        else None,
        diagnosis=draw(diagnoses),
        lines=lines,
        cap=draw(
            st.none() | st.just(CapPosition(Decimal("10000.00"), before, before + draw(amounts)))
        ),
    )


@st.composite
def histories(draw):
    def stay(d):
        return PastStay(
            "P", draw(institutions), "他院", d, d + datetime.timedelta(days=3), draw(diagnoses)
        )

    return History(
        stays=tuple(stay(draw(days)) for _ in range(draw(st.integers(0, 3)))),
        visits=tuple(PastVisit("V", draw(institutions), "他院", draw(days)) for _ in range(2)),
        dispensings=tuple(
            Dispensing(
                "D",
                draw(institutions),
                "他院",
                draw(days),
                draw(codes),
                "药",
                draw(st.integers(1, 60)),
            )
            for _ in range(draw(st.integers(0, 3)))
        ),
    )


@settings(max_examples=40, deadline=None)
@given(claims(), histories())
def test_review_renders_every_finding(claim, history):
    rs = default_rule_set()
    found = review(claim, history, rs)
    numbers = {line.number for line in claim.lines}
    for f in found:
        assert set(f.lines) <= numbers
        assert "{" not in f.explanation and "}" not in f.explanation
        assert f.explanation.startswith(("疑似", "次均"))
    score = risk_score(found, rs)
    assert score >= 0
    assert (colour(score, rs) is None) == (score < rs.colours["blue"])
