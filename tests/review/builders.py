"""Plain claims for the rule tests: a 60-year-old insured man at a level-2 hospital,
changed field by field. No database."""

import dataclasses
import datetime
from decimal import Decimal

from huimin.review.claim import (
    Claim,
    CoveragePeriod,
    History,
    Institution,
    Item,
    Line,
    Person,
)
from huimin.review.engine import Finding, review
from huimin.review.ruleset import RuleSet, default_rule_set

D = datetime.date
YEAR = CoveragePeriod(D(2026, 1, 1), D(2026, 12, 31))
HOSPITAL = Institution("H43052200001", "新邵县人民医院", "2", frozenset({"surgery_2"}))
CENTRE = Institution("H43052200002", "酿溪镇卫生院", "1", frozenset())


def person(**changes) -> Person:
    base = Person("p1", "1", D(1966, 3, 1), coverage=(YEAR,))
    return dataclasses.replace(base, **changes)


def line(number: int, code: str = "001", name: str = "血常规", **changes) -> Line:
    fields = {
        "number": number,
        "code": code,
        "name": name,
        "cls": "A",
        "quantity": Decimal("1"),
        "unit_price": Decimal("20.00"),
        "service_date": D(2026, 3, 10),
        "item": Item(category="lab"),
    }
    fields.update(changes)
    return Line(**fields)


def item(**facts) -> Item:
    return Item(**facts)


def inpatient(**changes) -> Claim:
    base = Claim(
        id="S1",
        person=person(),
        institution=HOSPITAL,
        visit_type="inpatient",
        admission_date=D(2026, 3, 10),
        discharge_date=D(2026, 3, 15),
        diagnosis="I21.0",
        lines=(line(1),),
    )
    return dataclasses.replace(base, **changes)


def outpatient(**changes) -> Claim:
    base = Claim(
        id="S2",
        person=person(),
        institution=CENTRE,
        visit_type="outpatient_general",
        admission_date=D(2026, 3, 10),
        diagnosis="J06.9",
        lines=(line(1),),
    )
    return dataclasses.replace(base, **changes)


def with_params(code: str, rule_set: RuleSet | None = None, **params) -> RuleSet:
    """The default rule set with some of one rule's parameters changed."""
    rs = rule_set or default_rule_set()
    cfg = rs.rules[code]
    cfg = dataclasses.replace(cfg, params={**cfg.params, **params})
    return dataclasses.replace(rs, rules={**rs.rules, code: cfg})


def fired(
    code: str, claim: Claim, history: History | None = None, rule_set: RuleSet | None = None
) -> list[Finding]:
    """The findings of rule `code` when the (default) rule set reviews the claim."""
    found = review(claim, history or History(), rule_set or default_rule_set())
    return [f for f in found if f.rule == code]
