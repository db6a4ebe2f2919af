"""The synthetic county carries compliant and non-compliant cases of the follow-up and
elderly rules: each injected case is found by its rule, and the compliant follow-ups
(rechecks within two weeks, referrals with their result) raise nothing of the kind."""

import datetime as dt
from collections import Counter, defaultdict

import pytest

from huimin.records import quality_rules as r
from huimin.records.synthetic import PersonIn, RecordsGenerator
from huimin.records.synthetic.base import form_columns
from huimin.registry.synthetic import CountyGenerator

AS_OF = dt.date(2026, 11, 24)
# Injected case → the rule that must find it.
FOUND_BY = {
    "recheck_late": "followup.recheck_late",
    "no_referral": "followup.no_referral",
    "no_referral_result": "followup.referral_result",
    "elderly_panel_incomplete": "completeness.elderly_panel",
    "registered_under_35": "registration.under_35",
}


@pytest.fixture(scope="module")
def checked():
    county = CountyGenerator(residents=4000, seed=23, as_of=AS_OF)
    people = sorted(
        (
            PersonIn(p.key, p.sex, p.birth_date, p.death_date, p.village)
            for b in county.batches()
            for p in b.people
        ),
        key=lambda p: (p.village, p.id),
    )
    gen = RecordsGenerator(2026, as_of=AS_OF, seed=9)
    by_id = {p.id: p for p in people}
    found, injected, forms_seen = defaultdict(set), defaultdict(set), Counter()
    for b in gen.batches(people):
        forms = defaultdict(list)
        for n, f in enumerate(b.forms):
            if not f.signed:
                continue
            row = {
                "id": (b.village, n),
                "kind": f.kind,
                "status": "signed",
                "data": f.data,
                **form_columns(gen.specs[f.kind], f.data),
            }
            forms[f.person].append(row)
            forms_seen[f.kind] += 1
        programmes = defaultdict(list)
        for p in b.programmes:
            programmes[p.person].append(
                {
                    "kind": p.kind,
                    "registered_on": p.registered_on,
                    "ended_on": p.ended_on,
                    "details": p.details,
                }
            )
        for person, rows in forms.items():
            who = by_id[person]
            facts = r.PersonFacts("某", who.sex, who.birth_date, who.death_date)
            hits = r.followup_hits(rows, programmes[person], AS_OF, who.birth_date)
            hits += r.registration_hits(programmes[person], facts)
            for row in rows:
                if row["kind"] == "health_check":
                    hits += r.elderly_panel_hits(row, facts)
            for h in hits:
                found[h.rule].add(h.form_id if h.form_id is not None else (b.village, person))
        for i in b.injected:
            if i.form is not None:
                injected["any"].add((b.village, i.form))
            if i.problem in FOUND_BY:
                key = (b.village, i.form) if i.form is not None else (b.village, i.person)
                injected[i.problem].add(key)
    return found, injected, forms_seen


def test_each_kind_of_non_compliant_case_is_generated_and_found(checked):
    found, injected, _ = checked
    for problem, rule in FOUND_BY.items():
        assert injected[problem], problem
        assert injected[problem] <= found[rule], (problem, injected[problem] - found[rule])


def test_referral_and_elderly_rules_fire_only_on_the_injected_cases(checked):
    found, injected, _ = checked
    for problem in ("no_referral_result", "elderly_panel_incomplete", "registered_under_35"):
        # Besides, a follow-up entered twice on one day: the twin has no result either.
        extra = found[FOUND_BY[problem]] - injected[problem]
        assert extra <= injected["any"], problem


def test_compliant_rechecks_are_not_too_close(checked):
    found, _, forms_seen = checked
    # Rechecks 10–14 days after an uncontrolled visit are many, and none is flagged:
    # what is left are the same-day-adjacent duplicates' neighbours, if any.
    assert forms_seen["htn_followup"] > 1000
    assert len(found["followup.too_close"]) < 0.002 * forms_seen["htn_followup"]
