"""The figures interface: one indicator's numerator and denominator for a region and a
period, and the same one level down. What the assessment, the dashboards and the
reports read.

`figure` and `breakdown` read the aggregates (`IndicatorFigure`, written by `huimin
indicators rebuild`); a figure not yet aggregated is computed from the domain tables
on the spot (the same definition the rebuild uses), so the answer never depends on
whether the nightly run has happened — only its speed does.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from huimin.reports import aggregates
from huimin.reports.periods import Period

__all__ = ["Figure", "Period", "breakdown", "figure"]

_FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Figure:
    indicator: str
    region_code: str
    period: Period
    numerator: Decimal  # counts are whole Decimals; money in yuan
    denominator: Decimal

    @property
    def rate(self) -> Decimal | None:
        """numerator / denominator to 4 places, half up; None when nothing to divide by."""
        if not self.denominator:
            return None
        return (self.numerator / self.denominator).quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP)


def figure(indicator: str, region_code: str, period: Period) -> Figure:
    num, den = aggregates.read(indicator, region_code, period)
    return Figure(indicator, region_code, period, num, den)


def breakdown(indicator: str, region_code: str, period: Period) -> list[Figure]:
    """One level down, in code order: a county's townships, a township's villages (every
    child region, zero where nothing is counted)."""
    return [
        Figure(indicator, code, period, num, den)
        for code, (num, den) in aggregates.read_children(indicator, region_code, period)
    ]
