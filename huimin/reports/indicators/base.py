"""What an indicator is, as data: its name, formula, source, target, and two functions
over the domain tables: the set-based count per village (or institution), and the rows
behind the numerator and the denominator (for drill-down and worklists).

A definition never writes: it builds querysets over the records, the registry and the
settlements. The counts per village are the leaves; townships and counties are sums of
their villages (aggregates.rollup), so townships always add up to their county.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet

from huimin.reports.periods import Period

RATE = "rate"  # numerator / denominator, shown as a percentage
AMOUNT = "amount"  # yuan; the denominator is 1
COUNT = "count"  # people, visits; the denominator is 1
AVERAGE = "average"  # yuan per admission, per visit: numerator / denominator
MONTHS = "months"  # fund balance / average monthly spending

UNIT_NAMES = {RATE: "%", AMOUNT: "元", COUNT: "人次", AVERAGE: "元", MONTHS: "个月"}

# How a period is read. STOCK: the state on the period's last day (a record exists).
# ROLLING_YEAR: the twelve months ending on its last day (four follow-ups "a year");
# for a year period this is the calendar year. FLOW: what happened inside the period.
STOCK = "stock"
ROLLING_YEAR = "rolling_year"
FLOW = "flow"

PERIOD_KIND_NAMES = {STOCK: "期末时点", ROLLING_YEAR: "截至期末的12个月", FLOW: "期间内发生"}

ZERO = Decimal(0)
ONE = Decimal(1)

Leaves = dict[str, tuple[Decimal, Decimal]]  # village code -> (numerator, denominator)


@dataclass(frozen=True)
class Members:
    """The rows behind a figure: `denominator` all of them, `numerator` those counted.
    `numerator` is a filter of `denominator`, so the worklist is their difference."""

    denominator: QuerySet
    numerator: QuerySet
    region_field: str  # the subject's village column
    person_field: str  # the subject's person (for the audit and the list)
    subject: str  # "person", "record", "programme", "settlement"

    def worklist(self) -> QuerySet:
        return self.denominator.exclude(pk__in=self.numerator.values("pk"))


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    period_kind: str
    numerator_text: str
    denominator_text: str
    source: str  # the document and clause the formula comes from
    group: str  # "health" or "insurance"
    leaves: Callable[[str, Period], Leaves]
    members: Callable[[str, Period], Members] | None = None
    target: Decimal | None = None  # a rate target as a fraction (0.9 for 90%)
    higher_is_better: bool = True
    note: str = ""
    # Leaves keyed by institution (id -> (region code, numerator, denominator)).
    institutions: Callable[[str, Period], dict[int, tuple[str, Decimal, Decimal]]] | None = None
    # The region levels the figure has a meaning at (a fund balance is the county's).
    levels: tuple[str, ...] = ("county", "township", "village")
    tags: tuple[str, ...] = field(default=())
    # The permission a list of the people behind the figure needs (personal data).
    list_permission: str = "record.read"

    @property
    def has_denominator(self) -> bool:
        return self.unit in (RATE, AVERAGE, MONTHS)

    def window(self, period: Period) -> Period:
        if self.period_kind == ROLLING_YEAR:
            return period.twelve_months_to_end()
        return period


def count_by_region(qs: QuerySet, region_field: str) -> dict[str, Decimal]:
    rows = qs.order_by().values(region_field).annotate(n=Count("pk")).values_list(region_field, "n")
    return {code: Decimal(n) for code, n in rows if code}


def rate_leaves(members: Members) -> Leaves:
    """Counts per village of a `Members` pair: two grouped queries."""
    den = count_by_region(members.denominator, members.region_field)
    num = count_by_region(members.numerator, members.region_field)
    return {code: (num.get(code, ZERO), d) for code, d in den.items()}


def member_rate(members_fn: Callable[[str, Period], Members]) -> Callable[[str, Period], Leaves]:
    def leaves(prefix: str, period: Period) -> Leaves:
        return rate_leaves(members_fn(prefix, period))

    return leaves
