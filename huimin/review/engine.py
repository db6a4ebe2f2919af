"""Run a rule set: findings from rules, a risk score from findings, a colour from a score.

`review(claim, history, rule_set)` runs the real-time rules (those cheap enough for the
counter) over one claim; `review_terminal` and `review_peers` run the pattern rules over
their aggregates, in batch. Pure: the service layer builds the inputs and stores what
comes out.
"""

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from huimin.review.claim import Claim, History, PeerCost, TerminalActivity
from huimin.review.rules import REGISTRY, Hit, RuleConfig
from huimin.review.rules.base import CLAIM, PEERS, TERMINAL, day, line_names
from huimin.review.ruleset import COLOURS, RuleSet


@dataclass(frozen=True)
class Finding:
    """A rule that fired: an indication for a reviewer, never a verdict."""

    rule: str
    name: str
    category: str
    severity: str  # blocking | warning | information
    weight: Decimal
    explanation: str  # the rule set's template with the facts filled in
    lines: tuple[int, ...] = ()  # the claim's line numbers behind it
    facts: dict[str, str] = dataclasses.field(default_factory=dict)
    subject: str = ""  # pattern rules: the terminal, institution or doctor it is about

    @property
    def blocking(self) -> bool:
        return self.severity == "blocking"

    def as_json(self) -> dict:
        """As the API and the stored finding carry it: strings, the weight as written."""
        return {
            "rule": self.rule,
            "name": self.name,
            "category": self.category,
            "severity": self.severity,
            "weight": format(self.weight, "f"),
            "explanation": self.explanation,
            "lines": list(self.lines),
            "facts": dict(self.facts),
            "subject": self.subject,
        }


def _finding(cfg: RuleConfig, hit: Hit, facts: dict[str, str]) -> Finding:
    return Finding(
        rule=cfg.code,
        name=cfg.name,
        category=cfg.category,
        severity=cfg.severity,
        weight=cfg.weight,
        explanation=cfg.explanation.format_map(facts),
        lines=hit.lines,
        facts=facts,
        subject=hit.subject,
    )


def _exempt_claim(claim: Claim, cfg: RuleConfig) -> bool:
    ex = cfg.exceptions
    return claim.institution.id in ex.institutions or ex.exempts_diagnosis(claim.diagnosis)


def review(
    claim: Claim, history: History, rule_set: RuleSet, *, realtime_only: bool = True
) -> list[Finding]:
    """The findings of the rule set's claim rules on `claim`, in the rule set's order.

    A rule's exceptions apply here: an exempt diagnosis or institution spares the claim,
    exempt items' lines are not shown to the rule. `realtime_only=False` also runs claim
    rules marked as batch-only (none yet; the batch will have some)."""
    findings = []
    by_number = {line.number: line for line in claim.lines}
    for code, cfg in rule_set.rules.items():
        spec = REGISTRY[code]
        if spec.reads != CLAIM or (realtime_only and not spec.realtime):
            continue
        if _exempt_claim(claim, cfg):
            continue
        seen = claim
        if cfg.exceptions.items:
            kept = tuple(line for line in claim.lines if line.code not in cfg.exceptions.items)
            seen = dataclasses.replace(claim, lines=kept)
        for hit in spec.function(seen, history, cfg):
            facts = {
                "lines": line_names(by_number[n] for n in hit.lines) or "全部费用明细",
                "institution": claim.institution.name,
                "visit_date": day(claim.visit_date),
                "diagnosis": claim.diagnosis,
                **hit.facts,
            }
            findings.append(_finding(cfg, hit, facts))
    return findings


def review_terminal(activity: TerminalActivity, rule_set: RuleSet) -> list[Finding]:
    """The terminal pattern rules (套刷) over one terminal's settlements."""
    findings = []
    for code, cfg in rule_set.rules.items():
        spec = REGISTRY[code]
        if spec.reads != TERMINAL or activity.institution_id in cfg.exceptions.institutions:
            continue
        findings += [_finding(cfg, hit, hit.facts) for hit in spec.function(activity, cfg)]
    return findings


def review_peers(peers: list[PeerCost], rule_set: RuleSet) -> list[Finding]:
    """The peer-comparison rules over institutions' or doctors' average costs."""
    findings = []
    for code, cfg in rule_set.rules.items():
        spec = REGISTRY[code]
        if spec.reads != PEERS:
            continue
        kept = [p for p in peers if p.subject_id not in cfg.exceptions.institutions]
        findings += [_finding(cfg, hit, hit.facts) for hit in spec.function(kept, cfg)]
    return findings


def risk_score(findings: list[Finding], rule_set: RuleSet) -> Decimal:
    """Σ weight × severity factor, each rule counted once however many times it fired:
    a bill with ten duplicated lines is one pattern, not ten."""
    by_rule: dict[str, Decimal] = {}
    for f in findings:
        value = f.weight * rule_set.severity_factors[f.severity]
        by_rule[f.rule] = max(by_rule.get(f.rule, Decimal(0)), value)
    return sum(by_rule.values(), Decimal(0))


def colour(score: Decimal, rule_set: RuleSet) -> str | None:
    """The four-colour warning (四色预警) for a score: red, orange, yellow or blue at or
    above each threshold, None below blue."""
    for name in COLOURS:  # highest first
        if score >= rule_set.colours[name]:
            return name
    return None
