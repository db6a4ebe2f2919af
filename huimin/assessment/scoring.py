"""Scoring a region against a scheme, and the money that follows. Pure: over figures
(numerator, denominator) and counts, exact Decimals, no database.

Points are kept to 2 places, half up, per line; the score is their sum less the
deductions, never below 0. docs/assessment.md works an example by hand.
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from huimin.assessment.scheme import Deduction, Item, Scheme, Tier
from huimin.core.money import r2

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
_RATE = Decimal("0.0001")


def rate(num: Decimal, den: Decimal) -> Decimal | None:
    if not den:
        return None
    return (Decimal(num) / Decimal(den)).quantize(_RATE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    code: str
    kind: str  # "item" or "deduction"
    numerator: Decimal
    denominator: Decimal
    rate: Decimal | None
    weight: Decimal  # the most the line gives (an item) or takes (a deduction)
    points: Decimal  # earned (an item) or taken off (a deduction, positive)
    explanation: str

    @property
    def lost(self) -> Decimal:
        return self.weight - self.points if self.kind == "item" else self.points


@dataclass(frozen=True)
class Score:
    score: Decimal
    earned: Decimal
    deducted: Decimal
    tier: Tier
    lines: tuple[Line, ...]


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def score_item(item: Item, num: Decimal, den: Decimal) -> Line:
    r = rate(num, den)
    if r is None:
        # Nobody to serve (no registered patients in the village): the work cannot fall
        # short, so the points are not lost.
        return Line(
            item.code, "item", num, den, None, item.weight, item.weight, "无服务对象，按满分计"
        )
    if item.rule == "linear":
        share = min(r / item.target, Decimal(1))
        points = r2(item.weight * share)
        why = (
            f"完成率{_pct(r)}，目标{_pct(item.target)}，"
            f"得分 = {item.weight} × min({_pct(r)} ÷ {_pct(item.target)}, 1)"
        )
    else:
        share, why = (
            Decimal(0),
            f"完成率{_pct(r)}，低于最低一档{_pct(item.thresholds[-1].at)}，不得分",
        )
        for th in item.thresholds:
            if r >= th.at:
                share = th.share
                why = f"完成率{_pct(r)}，达到{_pct(th.at)}一档，得权重的{_pct(th.share)}"
                break
        points = r2(item.weight * share)
    return Line(item.code, "item", num, den, r, item.weight, points, why)


def score_deduction(d: Deduction, num: Decimal, den: Decimal) -> Line:
    r = rate(num, den)
    if r is None or r >= d.below:
        why = "无档案可查" if r is None else f"合格率{_pct(r)}，不低于{_pct(d.below)}，不扣分"
        return Line(d.code, "deduction", num, den, r, d.max, ZERO, why)
    off = r2(min(d.max, (d.below - r) * HUNDRED * d.per_point))
    why = f"合格率{_pct(r)}，低于{_pct(d.below)}，每低1个百分点扣{d.per_point}分，最多扣{d.max}分"
    return Line(d.code, "deduction", num, den, r, d.max, off, why)


def score_region(scheme: Scheme, figures: dict[str, tuple[Decimal, Decimal]]) -> Score:
    """`figures`: indicator code -> (numerator, denominator) for the region and year."""
    lines = [score_item(i, *figures.get(i.code, (ZERO, ZERO))) for i in scheme.items]
    lines += [score_deduction(d, *figures.get(d.code, (ZERO, ZERO))) for d in scheme.deductions]
    earned = sum((ln.points for ln in lines if ln.kind == "item"), ZERO)
    deducted = sum((ln.points for ln in lines if ln.kind == "deduction"), ZERO)
    score = max(ZERO, earned - deducted)
    return Score(score, earned, deducted, scheme.tier_for(score), tuple(lines))


# ---------------------------------------------------------------- money


def split(total: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """`total` (yuan) in proportion to `weights`, to the fen, adding up to `total`
    exactly: each share rounded down, the fen left over to the largest remainders (ties
    by key). All weights zero: nothing is split (every share 0)."""
    whole = sum(weights.values(), Decimal(0))
    if not whole or not total:
        return {k: ZERO for k in weights}
    exact = {k: total * w / whole for k, w in weights.items()}
    out = {k: v.quantize(Decimal("0.01"), rounding=ROUND_DOWN) for k, v in exact.items()}
    left = int((total - sum(out.values(), ZERO)) * 100)
    for k in sorted(exact, key=lambda k: (-(exact[k] - out[k]), k))[:left]:
        out[k] += Decimal("0.01")
    return out


@dataclass(frozen=True)
class TownshipFunds:
    full: Decimal  # population × per-capita funding
    allocated: Decimal  # full × the tier's ratio
    village_pool: Decimal  # allocated × the village share (0 when no clinic counted work)
    retained: Decimal  # the township centre's part


def township_funds(
    scheme: Scheme, population: Decimal, tier: Tier, any_workload: bool
) -> TownshipFunds:
    full = r2(population * scheme.per_capita_funding)
    allocated = r2(full * tier.ratio)
    pool = r2(allocated * scheme.village_share) if any_workload else ZERO
    return TownshipFunds(full, allocated, pool, allocated - pool)


def workload_points(scheme: Scheme, counts: dict[str, int]) -> Decimal:
    """Signed forms by kind, weighted by the scheme; kinds it does not weigh count 0."""
    return sum(
        (Decimal(n) * scheme.workload_weights.get(kind, Decimal(0)) for kind, n in counts.items()),
        Decimal(0),
    )


def clinic_shares(
    pool: Decimal, workload: dict[str, Decimal], pass_rate: dict[str, Decimal | None]
) -> dict[str, Decimal]:
    """A township's village pool split by each clinic's workload points × its quality
    pass rate (a clinic with no records checked counts its workload whole)."""
    basis = {
        code: points * (pass_rate.get(code) if pass_rate.get(code) is not None else Decimal(1))
        for code, points in workload.items()
    }
    return split(pool, basis)
