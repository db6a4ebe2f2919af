"""Real-time review (实时审核): the rule set's claim rules on every pre-settlement and
settlement, registered with insurance's claim-check hook from ReviewConfig.ready().

`check` reads the visit with the person, the coverage, the rule set in force and the
visit's stored pre-settlement answer in one statement (facts.read_visit). At settle, when
that answer was made from the same claim — visit, fee line ids and contents, the year so
far, the funds' payment — under the same rule set, less than `REUSE_SECONDS` ago, it is
the answer: one statement per settlement. Otherwise (a client that settles without
pre-settling, lines changed, a new set activated) the lines, their catalog facts and 90
days of history are read (three statements more) and `engine.review` runs; pre-settle
stores what it found (one upsert) for the settle that follows, unless it is refused.

Insurance refuses a blocking result (422 review_blocked) and returns the others;
`settled` stores those others as findings inside the settlement's transaction, one per
rule and settlement (the fingerprint the batch uses too), so an idempotent retry or a
nightly run never stores one twice.
"""

import datetime
import hashlib
import logging
import threading
from decimal import Decimal
from importlib import resources

from django.db import DatabaseError
from django.utils import timezone

from huimin.core import statements
from huimin.insurance import claim_checks
from huimin.insurance.claim_checks import CheckResult, ClaimInHand
from huimin.insurance.models import Settlement
from huimin.review import engine, facts
from huimin.review.fingerprints import claim_fingerprint
from huimin.review.models import Finding, FindingSource, PreSettleReview, SubjectKind
from huimin.review.rule_sets import active_rule_set, rule_set_in_force
from huimin.review.ruleset import RuleSet

log = logging.getLogger(__name__)

# How long a pre-settlement's answer stands for the settlement that follows. What the
# digest cannot see — another institution's stay registered meanwhile, a catalog version,
# a death recorded — could change the answer; a counter settles within minutes of
# pre-settling, and the nightly batch reviews every claim again anyway.
REUSE_SECONDS = 30 * 60

# The shipped default set has no row: its identity in the digest is its text's hash.
_DEFAULT_KEY = hashlib.blake2b(
    resources.files("huimin.review").joinpath("default_rules.yaml").read_bytes(), digest_size=8
).hexdigest()


def claim_digest(claim: ClaimInHand, rule_set_key: tuple) -> str:
    """What the answer was computed from, as settle can see it without reading more:
    the claim in hand (not its stage, operator or terminal, which no claim rule reads)
    and the rule set in force."""
    parts = (
        claim.visit_id,
        claim.person_id,
        claim.institution_id,
        claim.region_code,
        claim.year,
        claim.visit_type,
        claim.visit_date,
        claim.discharge_date,
        claim.diagnosis_code,
        claim.fee_line_ids,
        claim.lines_digest,
        claim.basic_ytd_before,
        claim.basic_this,
        claim.annual_cap,
        rule_set_key,
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _rule_set(visit: facts.VisitRow, claim: ClaimInHand) -> RuleSet:
    rule_set_id, activated_at = visit.rule_set
    return rule_set_in_force(rule_set_id, activated_at, claim.region_code, claim.year)


def _rule_set_key(visit: facts.VisitRow) -> tuple:
    rule_set_id, activated_at = visit.rule_set
    if rule_set_id is None:
        return ("default", _DEFAULT_KEY)
    return (rule_set_id, activated_at.isoformat())


def as_result(finding: engine.Finding) -> CheckResult:
    return CheckResult(
        rule=finding.rule,
        name=finding.name,
        severity=finding.severity,
        message=finding.explanation,
        lines=finding.lines,
        facts=dict(finding.facts),
    )


def _as_json(result: CheckResult) -> dict:
    return {
        "rule": result.rule,
        "name": result.name,
        "severity": result.severity,
        "message": result.message,
        "lines": list(result.lines),
        "facts": dict(result.facts),
    }


def _from_json(stored: dict) -> CheckResult:
    return CheckResult(
        rule=stored["rule"],
        name=stored["name"],
        severity=stored["severity"],
        message=stored["message"],
        lines=tuple(stored["lines"]),
        facts=dict(stored["facts"]),
    )


def _reusable(presettle: tuple | None, digest: str) -> list[CheckResult] | None:
    """The stored pre-settlement answer when it was made from this very claim, recently."""
    if presettle is None:
        return None
    stored_digest, results, checked_at = presettle
    if stored_digest != digest:
        return None
    if timezone.now() - checked_at > datetime.timedelta(seconds=REUSE_SECONDS):
        return None
    return [_from_json(r) for r in results]


def _store_presettle(visit_id: int, digest: str, results: list[CheckResult]) -> None:
    """One upsert: the visit's latest pre-settlement answer replaces the one before."""
    row = PreSettleReview(
        visit_id=visit_id,
        digest=digest,
        results=[_as_json(r) for r in results],
        checked_at=timezone.now(),
    )
    columns = [statements.column(PreSettleReview, n) for n in ("digest", "results", "checked_at")]
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)
    conflict = f" ON CONFLICT ({statements.column(PreSettleReview, 'visit')}) DO UPDATE SET {sets} "
    sql = statements.insert_sql(PreSettleReview).replace(" RETURNING ", conflict + "RETURNING ", 1)
    statements.execute(sql, statements.insert_values(row), fetch="one")


class RealtimeChecker:
    """What insurance calls: check() before writing, settled() in the settlement's
    transaction."""

    def __init__(self):
        # The rule set check() used, per thread, for settled() right after it (the
        # results carry no category or weight): no second lookup per settlement.
        self._last = threading.local()

    def check(self, claim: ClaimInHand) -> list[CheckResult]:
        try:
            visit = facts.read_visit(claim)
            rule_set = _rule_set(visit, claim)
            self._last.seen = (claim.visit_id, rule_set)
            digest = claim_digest(claim, _rule_set_key(visit))
            if claim.stage == "settle":
                reused = _reusable(visit.presettle, digest)
                if reused is not None:
                    return reused
            review_claim, history = facts.claim_facts(claim, visit)
            results = [as_result(f) for f in engine.review(review_claim, history, rule_set)]
        except DatabaseError:
            raise  # the settlement's transaction is unusable now: it fails as a whole
        except Exception:
            # The counter must keep settling when review itself breaks: the patient is
            # not refused for our bug, and the nightly batch reviews the claim again.
            log.exception("real-time review failed for visit %s", claim.visit_id)
            return []
        # A refused pre-settlement writes nothing (the settle reviews in full and is
        # refused the same way).
        if claim.stage == "pre_settle" and not claim_checks.blocking(results):
            _store_presettle(claim.visit_id, digest, results)
        return results

    def settled(self, claim: ClaimInHand, settlement_id: int, results: list[CheckResult]) -> None:
        stored = [r for r in results if r.severity != claim_checks.BLOCKING]
        if not stored:
            return
        seen = getattr(self._last, "seen", None)
        if seen is not None and seen[0] == claim.visit_id:
            rule_set = seen[1]
        else:  # told of a settlement this thread did not check (replays, tests)
            rule_set = active_rule_set(claim.region_code, claim.year)
        if claim.fund_paid is not None:
            fund_paid = claim.fund_paid
        else:
            basic, ci, assistance = (
                Settlement.objects.filter(pk=settlement_id)
                .values_list("basic_fund", "critical_illness", "assistance")
                .get()
            )
            fund_paid = basic + ci + assistance
        fund_paid = max(fund_paid, Decimal(0))
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
