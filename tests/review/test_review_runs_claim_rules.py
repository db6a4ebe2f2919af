"""`review()`: the real-time claim rules, with the rule set's exceptions applied."""

import dataclasses

from huimin.review.claim import History, PastStay
from huimin.review.engine import review
from huimin.review.rules import REGISTRY
from huimin.review.rules.base import Exceptions
from huimin.review.ruleset import default_rule_set

from .builders import CENTRE, HOSPITAL, D, inpatient, item, line, person


def exempting(code, **exceptions):
    rs = default_rule_set()
    cfg = dataclasses.replace(rs.rules[code], exceptions=Exceptions(**exceptions))
    return dataclasses.replace(rs, rules={**rs.rules, code: cfg})


def test_a_clean_claim_has_no_findings():
    assert review(inpatient(), History(), default_rule_set()) == []


def test_findings_come_in_the_rule_sets_order_with_their_configuration():
    claim = inpatient(
        person=person(death_date=D(2026, 3, 1), coverage=()),
        lines=(line(1), line(2)),
    )
    found = review(claim, History(), default_rule_set())
    assert [f.rule for f in found] == ["not_insured", "deceased", "duplicate_charge"]
    first = found[0]
    assert (first.name, first.category, first.severity, str(first.weight)) == (
        "就诊日未参保",
        "identity",
        "blocking",
        "40",
    )
    assert first.facts["institution"] == HOSPITAL.name
    assert first.facts["lines"] == "全部费用明细"  # no lines named: the whole bill


def test_an_exempt_institution_is_spared():
    claim = inpatient(person=person(coverage=()))
    rs = exempting("not_insured", institutions=frozenset({HOSPITAL.id}))
    assert review(claim, History(), rs) == []


def test_an_exempt_diagnosis_is_spared():
    stay = PastStay("S0", HOSPITAL.id, HOSPITAL.name, D(2026, 2, 20), D(2026, 3, 1), "N18.5")
    claim = inpatient(diagnosis="N18.5")
    assert [f.rule for f in review(claim, History(stays=(stay,)), default_rule_set())] == [
        "split_admission"
    ]
    rs = exempting("split_admission", diagnoses=("N18",))
    assert review(claim, History(stays=(stay,)), rs) == []


def test_the_lines_fact_names_only_lines_the_rule_saw():
    qualified = item(category="surgery", qualification="surgery_3")
    claim = inpatient(institution=CENTRE, lines=(line(1), line(2, "S", "手术", item=qualified)))
    [finding] = review(claim, History(), default_rule_set())
    assert finding.facts["lines"] == "第2行（手术）"


def test_batch_pattern_rules_do_not_run_on_a_claim():
    batch = {code for code, spec in REGISTRY.items() if not spec.realtime}
    assert batch == {"bulk_swiping", "peer_outlier"}
    claim = inpatient(person=person(coverage=()), lines=(line(1), line(2)))
    assert not {f.rule for f in review(claim, History(), default_rule_set())} & batch


def test_a_rule_left_out_of_the_rule_set_does_not_run():
    rs = default_rule_set()
    rs = dataclasses.replace(rs, rules={k: v for k, v in rs.rules.items() if k != "not_insured"})
    assert review(inpatient(person=person(coverage=())), History(), rs) == []


def test_a_finding_as_json_carries_strings_and_line_numbers():
    claim = inpatient(lines=(line(1), line(2)))
    [finding] = review(claim, History(), default_rule_set())
    data = finding.as_json()
    assert data["rule"] == "duplicate_charge" and data["weight"] == "8"
    assert data["lines"] == [1, 2] and data["facts"]["date"] == "2026-03-10"
    assert data["explanation"].startswith("疑似重复收费")
