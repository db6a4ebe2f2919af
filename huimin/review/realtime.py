"""Real-time review (实时审核): the rule set's claim rules on every pre-settlement and
settlement, registered with insurance's claim-check hook from ReviewConfig.ready().

`check` builds the claim in hand and the patient's last 90 days (facts.py, five queries),
runs `engine.review` with the rule set in force for the person's pooling region and year,
and answers CheckResults: insurance refuses a blocking one (422 review_blocked) and
returns the others. `settled` stores those others as findings inside the settlement's
transaction, one per rule and settlement (the fingerprint the batch uses too), so an
idempotent retry or a nightly run never stores one twice.
"""

import logging
from decimal import Decimal

from django.db import DatabaseError

from huimin.insurance import claim_checks
from huimin.insurance.claim_checks import CheckResult, ClaimInHand
from huimin.insurance.models import Settlement
from huimin.review import engine, facts
from huimin.review.fingerprints import claim_fingerprint
from huimin.review.models import Finding, FindingSource, SubjectKind
from huimin.review.rule_sets import active_rule_set

log = logging.getLogger(__name__)


def review_claim(claim: ClaimInHand) -> tuple[list[engine.Finding], str]:
    """The findings on the claim in hand and the name of the rule set that made them."""
    rule_set = active_rule_set(claim.region_code, claim.year)
    review_claim, history = facts.claim_facts(claim)
    return engine.review(review_claim, history, rule_set), rule_set.name


def as_result(finding: engine.Finding) -> CheckResult:
    return CheckResult(
        rule=finding.rule,
        name=finding.name,
        severity=finding.severity,
        message=finding.explanation,
        lines=finding.lines,
        facts=dict(finding.facts),
    )


class RealtimeChecker:
    """What insurance calls: check() before writing, settled() in the settlement's
    transaction."""

    def check(self, claim: ClaimInHand) -> list[CheckResult]:
        try:
            findings, _ = review_claim(claim)
        except DatabaseError:
            raise  # the settlement's transaction is unusable now: it fails as a whole
        except Exception:
            # The counter must keep settling when review itself breaks: the patient is
            # not refused for our bug, and the nightly batch reviews the claim again.
            log.exception("real-time review failed for visit %s", claim.visit_id)
            return []
        return [as_result(f) for f in findings]

    def settled(self, claim: ClaimInHand, settlement_id: int, results: list[CheckResult]) -> None:
        stored = [r for r in results if r.severity != claim_checks.BLOCKING]
        if not stored:
            return
        # The results carry no category or weight: the set in force has them (parsed
        # once per row, so this is one indexed query).
        rule_set = active_rule_set(claim.region_code, claim.year)
        basic, ci, assistance = (
            Settlement.objects.filter(pk=settlement_id)
            .values_list("basic_fund", "critical_illness", "assistance")
            .get()
        )
        fund_paid = max(basic + ci + assistance, Decimal(0))
        rows = []
        for result in stored:
            cfg = rule_set.rules.get(result.rule)
            rows.append(
                Finding(
                    rule=result.rule,
                    name=result.name,
                    category=cfg.category if cfg else "",
                    severity=result.severity,
                    weight=cfg.weight if cfg else Decimal(0),
                    explanation=result.message,
                    lines=list(result.lines),
                    facts=dict(result.facts),
                    source=FindingSource.REALTIME,
                    rule_set_name=rule_set.name[:100],
                    subject_kind=SubjectKind.CLAIM,
                    settlement_id=settlement_id,
                    visit_id=claim.visit_id,
                    person_id=claim.person_id,
                    institution_id=claim.institution_id,
                    region_code=claim.region_code,
                    service_date=claim.visit_date,
                    month=f"{claim.visit_date:%Y-%m}",
                    fund_paid=fund_paid,
                    fingerprint=claim_fingerprint(result.rule, settlement_id),
                )
            )
        # A retry, or a batch run that got there first, finds the fingerprint: kept as is.
        Finding.objects.bulk_create(rows, ignore_conflicts=True)


CHECKER = RealtimeChecker()


def register() -> None:
    claim_checks.register(CHECKER)
