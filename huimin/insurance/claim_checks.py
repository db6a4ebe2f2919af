"""The claim-check hook point: real-time review rules run on every pre-settlement and
settlement (DESIGN.md §2), registered by the review app from its AppConfig.ready().

Insurance never imports review (it is a layer above): review registers checkers here.
Pre-settle (2206/2303) and settle (2207/2304) build a `ClaimInHand` after adjudication
and call `run_checks`. A `blocking` result refuses the request (422 `review_blocked`;
nothing is written, and an Idempotency-Key's record is not kept, so a corrected retry
may pass); warnings and information are returned with the answer (`review_findings`)
and, on settle, handed to `record_settled` inside the settlement's transaction once the
settlement row exists. A checker is pure over what it is given (and, if it must, the
patient's recent history): the whole settlement waits for it.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

BLOCKING = "blocking"
WARNING = "warning"
INFORMATION = "information"
SEVERITIES = (BLOCKING, WARNING, INFORMATION)


@dataclass(frozen=True)
class ClaimInHand:
    stage: str  # "pre_settle" or "settle"
    visit_id: int
    person_id: int
    institution_id: int  # registry Institution pk
    region_code: str  # the person's region code on the visit
    year: int
    visit_type: str  # VisitType value
    visit_date: datetime.date
    discharge_date: datetime.date | None
    diagnosis_code: str
    fee_line_ids: tuple[int, ...]  # FeeDetail pks of the non-cancelled lines settled
    terminal: str
    operator_id: int | None  # the staff user / None for machine credentials
    basic_ytd_before: Decimal  # basic-fund payments this year before this claim
    basic_this: Decimal  # basic-fund payment of this claim (from adjudication)
    annual_cap: Decimal | None  # the plan's annual basic-fund cap for this visit, if any
    # A fingerprint of the fee lines' contents as priced (`lines_digest`): with the ids,
    # what lets settle know the lines are those pre-settle saw.
    lines_digest: str = ""
    # What the funds pay on this claim (basic + critical illness + assistance), so a
    # checker storing findings need not read the settlement back.
    fund_paid: Decimal | None = None


def lines_digest(rows) -> str:
    """A short, stable fingerprint of fee rows (tuples of plain values, in line order)."""
    return hashlib.blake2b(repr(tuple(rows)).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class CheckResult:
    rule: str  # rule code, e.g. "not_insured"
    name: str  # Chinese rule name
    severity: str  # "blocking" | "warning" | "information"
    message: str  # the Chinese explanation (an indication, never a verdict)
    lines: tuple[int, ...] = ()  # fee line numbers (line_no) behind it
    facts: dict = field(default_factory=dict)  # str -> str


class ClaimChecker(Protocol):
    def check(self, claim: ClaimInHand) -> list[CheckResult]: ...

    def settled(
        self, claim: ClaimInHand, settlement_id: int, results: list[CheckResult]
    ) -> None: ...


# Filled once per process from AppConfig.ready(), read on every settlement.
_checkers: list[ClaimChecker] = []


def register(checker: ClaimChecker) -> None:
    """Add a checker; registering the same object again changes nothing."""
    if not any(c is checker for c in _checkers):
        _checkers.append(checker)


def unregister(checker: ClaimChecker) -> None:
    """Remove a checker (tests that register their own)."""
    _checkers[:] = [c for c in _checkers if c is not checker]


def registered() -> tuple[ClaimChecker, ...]:
    return tuple(_checkers)


def run_checks(claim: ClaimInHand) -> list[CheckResult]:
    """Every registered checker's results, in registration order."""
    results: list[CheckResult] = []
    for checker in _checkers:
        results.extend(checker.check(claim))
    return results


def record_settled(claim: ClaimInHand, settlement_id: int, results: list[CheckResult]) -> None:
    """Tell every checker the claim was settled (inside the settlement's transaction)."""
    for checker in _checkers:
        checker.settled(claim, settlement_id, results)


def blocking(results: list[CheckResult]) -> list[CheckResult]:
    return [r for r in results if r.severity == BLOCKING]


def findings(results: list[CheckResult]) -> list[dict]:
    """What an answer shows of the results that let the claim through."""
    return [
        {
            "rule": r.rule,
            "name": r.name,
            "severity": r.severity,
            "message": r.message,
            "lines": list(r.lines),
        }
        for r in results
        if r.severity != BLOCKING
    ]
