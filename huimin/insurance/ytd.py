"""A person's year so far (年度累计), pure: read from the stored row, the change one
settlement made (kept with it), and that change undone by a reversal. The fund entry a
settlement or reversal posts is the ledger's (ledger/rules.settlement_lines).

A settlement stores `delta(before, after)`; a reversal subtracts it with `undo`, which
gives back exactly the year as it was, whatever was settled since (property-tested in
tests/insurance/test_engine_properties.py).
"""

from decimal import Decimal

from huimin.insurance import engine

ZERO = Decimal("0.00")


def ytd_of(acc) -> engine.YearToDate:
    """The engine's form of an Accumulator row (None: nothing yet this year)."""
    if acc is None:
        return engine.YearToDate()
    dec = {k: Decimal(v) for k, v in (acc.basic_paid_by_type or {}).items()}
    ded = {k: Decimal(v) for k, v in (acc.deductible_paid_by_type or {}).items()}
    return engine.YearToDate(
        basic_paid=acc.basic_paid,
        basic_paid_by_type=dec,
        deductible_paid_by_type=ded,
        ci_base=acc.ci_base,
        ci_paid=acc.ci_paid,
        assistance_paid=acc.assistance_paid,
    )


def delta(before: engine.YearToDate, after: engine.YearToDate) -> dict:
    def diff(a: dict, b: dict) -> dict:
        return {k: str(b.get(k, ZERO) - a.get(k, ZERO)) for k in set(a) | set(b)}

    return {
        "basic_paid": str(after.basic_paid - before.basic_paid),
        "basic_paid_by_type": diff(before.basic_paid_by_type, after.basic_paid_by_type),
        "deductible_paid_by_type": diff(
            before.deductible_paid_by_type, after.deductible_paid_by_type
        ),
        "ci_base": str(after.ci_base - before.ci_base),
        "ci_paid": str(after.ci_paid - before.ci_paid),
        "assistance_paid": str(after.assistance_paid - before.assistance_paid),
    }


def undo(ytd: engine.YearToDate, delta: dict) -> engine.YearToDate:
    def sub(current: dict, d: dict) -> dict:
        out = dict(current)
        for k, v in d.items():
            out[k] = out.get(k, ZERO) - Decimal(v)
        return out

    return engine.YearToDate(
        basic_paid=ytd.basic_paid - Decimal(delta["basic_paid"]),
        basic_paid_by_type=sub(ytd.basic_paid_by_type, delta["basic_paid_by_type"]),
        deductible_paid_by_type=sub(ytd.deductible_paid_by_type, delta["deductible_paid_by_type"]),
        ci_base=ytd.ci_base - Decimal(delta["ci_base"]),
        ci_paid=ytd.ci_paid - Decimal(delta["ci_paid"]),
        assistance_paid=ytd.assistance_paid - Decimal(delta["assistance_paid"]),
    )
