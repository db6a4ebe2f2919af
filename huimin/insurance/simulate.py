"""Plan what-if: re-settle a year of real settlements under a candidate plan.

Nothing is written. Each person's visits are replayed in the order they were settled
(id order, which is time order), with year-to-date accumulators starting from zero,
through the same pure engine the counter uses; the result is compared with what was
actually paid.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from huimin.insurance import engine
from huimin.insurance.models import FeeDetail, Settlement, SettlementKind
from huimin.insurance.plan import Plan

TIERS = ("basic_fund", "critical_illness", "assistance", "patient_pay")
ZERO = Decimal("0.00")


@dataclass
class Totals:
    count: int = 0
    actual: dict = field(default_factory=lambda: dict.fromkeys(TIERS, ZERO))
    simulated: dict = field(default_factory=lambda: dict.fromkeys(TIERS, ZERO))

    def add(self, actual: dict, simulated: dict) -> None:
        self.count += 1
        for t in TIERS:
            self.actual[t] += actual[t]
            self.simulated[t] += simulated[t]


@dataclass
class Report:
    year: int
    settlements: int = 0
    skipped: int = 0  # visit types the candidate plan does not know: not re-settled
    # Re-settled at a level the candidate does not pay for that visit type (DESIGN.md
    # §5: no basic fund there): the office should know the plan drops them.
    unpaid_level: int = 0
    overall: Totals = field(default_factory=Totals)
    by_level: dict = field(default_factory=lambda: defaultdict(Totals))
    by_visit_type: dict = field(default_factory=lambda: defaultdict(Totals))
    by_person: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))

    def movers(self, n: int = 20) -> list[tuple[int, Decimal]]:
        """People whose own share changes most (positive: they would pay more)."""
        return sorted(self.by_person.items(), key=lambda kv: abs(kv[1]), reverse=True)[:n]


def _claim(s: Settlement, fees: list[FeeDetail]) -> engine.Claim:
    return engine.Claim(
        visit_type=s.visit_type,
        institution_level=s.visit.institution_level,
        person_category=s.person_category,
        lines=tuple(
            engine.ClaimLine(
                code=f.code,
                name=f.name,
                cls=f.item_class,
                quantity=f.quantity,
                unit_price=f.unit_price,
                ceiling=f.ceiling,
                b_self_ratio=f.b_self_ratio,
            )
            for f in fees
        ),
    )


def simulate(plan: Plan, year: int, region_prefix: str = "", batch: int = 2000) -> Report:
    report = Report(year=year)
    qs = (
        Settlement.objects.filter(kind=SettlementKind.SETTLE, year=year, reversed_at__isnull=True)
        .within(region_prefix)
        .select_related("visit")
    )
    ytd_by_person: dict[int, engine.YearToDate] = {}
    last_id = 0
    while True:
        # Keyset batches keep memory bounded on a county's year of settlements.
        chunk = list(qs.filter(id__gt=last_id).order_by("id")[:batch])
        if not chunk:
            break
        last_id = chunk[-1].pk
        fees = defaultdict(list)
        for f in FeeDetail.objects.filter(
            visit_id__in=[s.visit_id for s in chunk], cancelled=False
        ).order_by("visit_id", "line_no"):
            fees[f.visit_id].append(f)
        for s in chunk:
            report.settlements += 1
            if s.visit_type not in plan.visit_types:
                report.skipped += 1
                continue
            if s.visit.institution_level not in plan.visit_types[s.visit_type].ratio:
                report.unpaid_level += 1
            before = ytd_by_person.get(s.person_id, engine.YearToDate())
            result = engine.adjudicate(plan, _claim(s, fees[s.visit_id]), before)
            ytd_by_person[s.person_id] = result.ytd_after
            actual = {t: getattr(s, t) for t in TIERS}
            simulated = {t: getattr(result, t) for t in TIERS}
            report.overall.add(actual, simulated)
            report.by_level[s.visit.institution_level].add(actual, simulated)
            report.by_visit_type[s.visit_type].add(actual, simulated)
            report.by_person[s.person_id] += simulated["patient_pay"] - actual["patient_pay"]
    return report
