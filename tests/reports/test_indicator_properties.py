"""Properties of every count-based indicator on random counties: a numerator never
exceeds its denominator (the numerator is a filter of the denominator's rows), and
villages add up to their township, townships to the county."""

import datetime

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huimin.reports import aggregates, indicators
from huimin.reports.figures import Period, breakdown, figure
from tests import factories
from tests.reports import dataset

D = datetime.date
YEAR = Period.year(2026)
FORMS = [
    "htn_followup",
    "dm_followup",
    "smi_followup",
    "health_check",
    "child_check",
    "newborn_visit",
    "tcm_elderly",
    "tcm_child",
    "immunisation",
]

person = st.fixed_dictionaries(
    {
        "village": st.sampled_from(factories.VILLAGES),
        "birth": st.dates(D(1930, 1, 1), D(2026, 12, 31)),
        "record": st.booleans(),
        "programmes": st.lists(st.sampled_from(["hypertension", "diabetes", "smi"]), unique=True),
        "forms": st.lists(
            st.tuples(
                st.sampled_from(FORMS),
                st.dates(D(2025, 6, 1), D(2026, 12, 31)),
                st.sampled_from(["1", "2", "3"]),
                st.integers(100, 190),
                st.sampled_from(["signed", "draft"]),
            ),
            max_size=6,
        ),
    }
)

# Rates whose numerator is a subset of the denominator's rows.
SUBSET_RATES = [
    i.code for i in indicators.all_indicators() if i.members is not None and i.unit == "rate"
]


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=st.lists(person, min_size=1, max_size=10))
def test_numerators_within_denominators_and_regions_add_up(county, people):
    with transaction.atomic():
        user = factories.make_staff(f"p{len(people)}", "public_health_officer", factories.COUNTY)
        for n, p in enumerate(people):
            someone = factories.make_person(f"人{n}", p["village"], p["birth"])
            rec = dataset.record(someone, min(p["birth"], D(2026, 1, 1))) if p["record"] else None
            for kind in p["programmes"] if rec else ():
                dataset.programme(rec, kind, D(2025, 1, 1))
            for kind, day, mode, sbp, status in p["forms"]:
                extra = {"vaccine": "MMR", "dose": 1} if kind == "immunisation" else {}
                dataset.form(
                    user,
                    someone,
                    kind,
                    day,
                    rec,
                    status=status,
                    mode=mode,
                    systolic=sbp,
                    diastolic=sbp // 2,
                    **extra,
                )
        for code in SUBSET_RATES:
            ind = indicators.get(code)
            for leaf, (num, den) in aggregates.leaves(ind, factories.COUNTY, YEAR).items():
                assert 0 <= num <= den, (code, leaf, num, den)
        for code in [*SUBSET_RATES, "htn.coverage"]:
            whole = figure(code, factories.COUNTY, YEAR)
            towns = breakdown(code, factories.COUNTY, YEAR)
            assert sum(t.numerator for t in towns) == whole.numerator, code
            assert sum(t.denominator for t in towns) == whole.denominator, code
            for town in towns:
                villages = breakdown(code, town.region_code, YEAR)
                assert sum(v.numerator for v in villages) == town.numerator, code
                assert sum(v.denominator for v in villages) == town.denominator, code
        transaction.set_rollback(True)
