"""Computing and storing the figures: leaves per village from the definitions, sums
up the region tree, and the `IndicatorFigure` rows the pages read.

A rebuild is set-based (each definition's grouped queries once per period for the
whole region) and idempotent (the rows of what it covers are replaced in one
transaction). Townships and counties are the sums of their villages, so a township
breakdown always adds up to the county.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from huimin.policy.scope import prefix_condition
from huimin.registry.models import Region
from huimin.reports import indicators
from huimin.reports.indicators.base import ONE, ZERO, Indicator, Leaves
from huimin.reports.models import IndicatorFigure
from huimin.reports.periods import Period

LEVEL_BY_LENGTH = {6: "county", 9: "township", 12: "village"}


def leaves(ind: Indicator, prefix: str, period: Period) -> Leaves:
    return ind.leaves(prefix, ind.window(period))


def rollup(ind: Indicator, found: Leaves, code: str) -> tuple[Decimal, Decimal]:
    num = den = ZERO
    for leaf, (n, d) in found.items():
        if leaf.startswith(code):
            num += n
            den += d
    if not ind.has_denominator:
        den = ONE
    return num, den


def child_codes(code: str) -> list[str]:
    return list(
        Region.objects.filter(parent_id=code).order_by("code").values_list("code", flat=True)
    )


def regions_under(code: str) -> list[str]:
    """The region and every township and village below it (the levels figures exist at)."""
    below = (
        Region.objects.filter(prefix_condition("code", code))
        .filter(level__in=("county", "township", "village"))
        .order_by("code")
        .values_list("code", flat=True)
    )
    return sorted(set(below) | {code})


def _stored(ind_code: str, codes: list[str], period: Period) -> dict[str, tuple[Decimal, Decimal]]:
    rows = IndicatorFigure.objects.filter(
        indicator=ind_code,
        region_code__in=codes,
        institution_id=0,
        period_start=period.start,
        period_end=period.end,
    ).values_list("region_code", "numerator", "denominator")
    return {code: (num, den) for code, num, den in rows}


def read(ind_code: str, region_code: str, period: Period) -> tuple[Decimal, Decimal]:
    ind = indicators.get(ind_code)
    stored = _stored(ind_code, [region_code], period)
    if region_code in stored:
        return stored[region_code]
    return rollup(ind, leaves(ind, region_code, period), region_code)


def read_children(ind_code: str, region_code: str, period: Period):
    ind = indicators.get(ind_code)
    codes = child_codes(region_code)
    stored = _stored(ind_code, codes, period)
    if len(stored) < len(codes):
        found = leaves(ind, region_code, period)
        for code in codes:
            stored.setdefault(code, rollup(ind, found, code))
    return [(code, stored[code]) for code in codes]


@transaction.atomic
def rebuild(region_code: str, periods: list[Period], only: list[str] | None = None) -> int:
    """Recompute every figure of `region_code` and the regions under it for `periods`;
    returns the rows written. Safe to run again: the covered rows are replaced."""
    codes = regions_under(region_code)
    chosen = [indicators.get(c) for c in only] if only else indicators.all_indicators()
    now = timezone.now()
    written = 0
    for period in periods:
        for ind in chosen:
            found = leaves(ind, region_code, period)
            rows = [
                IndicatorFigure(
                    indicator=ind.code,
                    region_code=code,
                    institution_id=0,
                    period_start=period.start,
                    period_end=period.end,
                    numerator=num,
                    denominator=den,
                    computed_at=now,
                )
                for code in codes
                if LEVEL_BY_LENGTH.get(len(code)) in ind.levels
                for num, den in [rollup(ind, found, code)]
            ]
            if ind.institutions is not None and LEVEL_BY_LENGTH.get(len(region_code)) == "county":
                # An institution's row: what it settled for the county's residents, kept
                # under the county's code (the institution may lie outside it).
                for inst_id, (_where, num, den) in sorted(
                    ind.institutions(region_code, ind.window(period)).items()
                ):
                    rows.append(
                        IndicatorFigure(
                            indicator=ind.code,
                            region_code=region_code,
                            institution_id=inst_id,
                            period_start=period.start,
                            period_end=period.end,
                            numerator=num,
                            denominator=den if ind.has_denominator else ONE,
                            computed_at=now,
                        )
                    )
            IndicatorFigure.objects.filter(
                prefix_condition("region_code", region_code),
                indicator=ind.code,
                period_start=period.start,
                period_end=period.end,
            ).delete()
            IndicatorFigure.objects.bulk_create(rows, batch_size=1000)
            written += len(rows)
    return written
