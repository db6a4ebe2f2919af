"""How a figure is shown: its value in its unit, and whether it meets its target. Pure."""

from decimal import ROUND_HALF_UP, Decimal

from huimin.reports.indicators.base import AMOUNT, AVERAGE, COUNT, MONTHS, RATE, Indicator

CENT = Decimal("0.01")


def value(ind: Indicator, numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """The number a page shows: a rate in percent, an amount or average in yuan, a count,
    months; None when a ratio has nothing to divide by."""
    if ind.unit in (AMOUNT, COUNT):
        return numerator
    if not denominator:
        return None
    ratio = numerator / denominator
    if ind.unit == RATE:
        ratio *= 100
    return ratio.quantize(CENT, rounding=ROUND_HALF_UP)


def text(ind: Indicator, v: Decimal | None) -> str:
    if v is None:
        return "—"
    if ind.unit == RATE:
        return f"{v:.2f}%"
    if ind.unit in (AMOUNT, AVERAGE):
        return f"{v:,.2f}元"
    if ind.unit == COUNT:
        return f"{v:,.0f}"
    if ind.unit == MONTHS:
        return f"{v:.1f}个月"
    return str(v)


def target_text(ind: Indicator) -> str:
    if ind.target is None:
        return ""
    if ind.unit == RATE:
        return f"{ind.target * 100:.0f}%"
    return text(ind, ind.target)


def meets(ind: Indicator, v: Decimal | None) -> bool | None:
    """True when the value reaches the target (at most, for lower-is-better figures)."""
    if ind.target is None or v is None:
        return None
    target = ind.target * 100 if ind.unit == RATE else ind.target
    return v >= target if ind.higher_is_better else v <= target
