"""The synthetic county has compliant and non-compliant cases of the children's,
maternal and tuberculosis rules: each injected non-compliant case is what the quality
rules flag, and the compliant ones are not flagged."""

import datetime as dt
from collections import Counter, defaultdict

import pytest

from huimin.records.quality_rules import PersonFacts, RecordFacts, specification_hits
from huimin.records.synthetic import PersonIn, RecordsGenerator
from huimin.registry.synthetic import CountyGenerator

AS_OF = dt.date(2026, 11, 24)

# Injected problem → the rule that sees it.
RULE_OF = {
    "late_newborn_visit": "newborn.late",
    "late_postpartum_visit": "maternal.postpartum_late",
    "antenatal_out_of_window": "maternal.visit_window",
    "weeks_mismatch": "maternal.weeks",
    "missing_haemoglobin_6_8": "completeness.haemoglobin",
    "late_tb_first_visit": "tb.first_visit_late",
    "tb_visit_gap": "tb.gap",
    "missing_tb_closing": "tb.closing",
}


@pytest.fixture(scope="module")
def county():
    people = [
        PersonIn(p.key, p.sex, p.birth_date, p.death_date, p.village)
        for b in CountyGenerator(residents=12000, seed=11, as_of=AS_OF).batches()
        for p in b.people
    ]
    people.sort(key=lambda p: (p.village, p.id))
    batches = list(RecordsGenerator(2026, as_of=AS_OF, seed=5).batches(people))
    return {p.id: p for p in people}, batches


def _hits_by_person(people, batches):
    out = {}
    for b in batches:
        forms, programmes = defaultdict(list), defaultdict(list)
        for n, f in enumerate(b.forms):
            if f.signed:
                forms[f.person].append(
                    {
                        "id": n,
                        "kind": f.kind,
                        "status": "signed",
                        "service_date": dt.date.fromisoformat(f.data[_date_field(f.kind)]),
                        "data": f.data,
                    }
                )
        for pr in b.programmes:
            programmes[pr.person].append(
                {
                    "kind": pr.kind,
                    "registered_on": pr.registered_on,
                    "ended_on": pr.ended_on,
                    "details": pr.details,
                }
            )
        for r in b.records:
            p = people[r.person]
            facts = RecordFacts(
                id=r.person,
                person=PersonFacts("", p.sex, p.birth_date, p.death_date),
                forms=forms[r.person],
                programmes=programmes[r.person],
            )
            out[r.person] = {h.rule for h in specification_hits(facts, AS_OF)}
    return out


def _date_field(kind):
    from huimin.records.forms import SPECS

    return SPECS[kind].date_field


def test_each_non_compliant_case_occurs_and_is_flagged_and_nothing_else_is(county):
    people, batches = county
    injected = defaultdict(set)
    for b in batches:
        for i in b.injected:
            if i.problem in RULE_OF:
                injected[i.person].add(RULE_OF[i.problem])
    assert set().union(*injected.values()) == set(RULE_OF.values())  # every case occurs
    hits = _hits_by_person(people, batches)
    for person, rules in hits.items():
        assert injected.get(person, set()) == rules, (person, rules, injected.get(person))


def test_tb_patients_follow_their_course(county):
    _, batches = county
    programmes = [p for b in batches for p in b.programmes if p.kind == "tb"]
    assert programmes
    kinds = Counter(f.kind for b in batches for f in b.forms if f.kind.startswith("tb_"))
    assert kinds["tb_first_visit"] > 0 and kinds["tb_followup"] > kinds["tb_first_visit"]


def test_children_carry_their_discharge_date_and_high_risk_babies_a_second_visit(county):
    _, batches = county
    children = [p for b in batches for p in b.programmes if p.kind == "child"]
    assert all("discharge_date" in p.details for p in children)
    visits = Counter(
        f.person for b in batches for f in b.forms if f.kind == "newborn_visit" and f.signed
    )
    assert any(n == 2 for n in visits.values())
