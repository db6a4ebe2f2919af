"""A settlement as every reader shows it: the API's answer, the receipt and the officer's
pages read a row through `shown()` and never re-parse its JSON themselves.

The row keeps the engine's result as the API shows it (`result`) and, in fields of their
own, what only the service needs back (`ytd_delta`), the fee rows the lines priced
(`fee_line_ids`, in the lines' order) and the review findings answered with it. A
reversal shows the settlement it undoes, every amount negated.
"""

from dataclasses import dataclass

from huimin.insurance.models import Settlement, SettlementKind


@dataclass(frozen=True)
class Shown:
    settlement: Settlement
    source: Settlement  # the settlement itself, or the one a reversal undoes
    sign: int  # -1 for a reversal
    result: dict  # the engine's result (DESIGN.md §5 output) of `source`
    fee_line_ids: list[int]
    ytd_delta: dict
    review_findings: list[dict]
    reason: str  # a reversal's reason


def shown(s: Settlement) -> Shown:
    """`s` as shown; for a reversal `s.reverses` must be loaded (select_related)."""
    reversal = s.kind == SettlementKind.REVERSAL
    source = s.reverses if reversal else s
    return Shown(
        settlement=s,
        source=source,
        sign=-1 if reversal else 1,
        result=source.result if source is not None else {},
        fee_line_ids=list(source.fee_line_ids or []) if source is not None else [],
        ytd_delta=source.ytd_delta or {} if source is not None else {},
        review_findings=list(s.review_findings or []),
        reason=s.result.get("reason", "") if reversal else "",
    )


def answer(s: Settlement, replayed: bool) -> dict:
    """The API's answer for a settlement or a reversal (SettlementOut)."""
    settles = s.kind == SettlementKind.SETTLE
    return {
        "settlement_id": s.pk,
        "kind": s.kind,
        "his_visit_no": s.visit.his_visit_no,
        "settled_at": s.settled_at,
        "verification_code": s.verification_code,
        "replayed": replayed,
        "result": s.result if settles else None,
        "reverses": s.reverses_id,
        "review_findings": list(s.review_findings or []),
    }
