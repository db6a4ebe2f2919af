"""Item rules: what was billed, how much, how often, and by whom."""

import datetime
from collections import defaultdict
from decimal import Decimal

from huimin.core.money import r2
from huimin.registry.qualifications import QUALIFICATIONS
from huimin.review.claim import LEVEL_NAMES, SEX_NAMES, Claim, History, Line
from huimin.review.rules.base import (
    CODE_PAIRS,
    DAYS,
    DECIMAL,
    EXTRA_DAYS,
    KIND_LIST,
    Hit,
    RuleConfig,
    day,
    money,
    qty,
    rule,
)


def by_code_and_day(lines) -> dict[tuple[str, datetime.date], list[Line]]:
    groups: dict[tuple[str, datetime.date], list[Line]] = defaultdict(list)
    for line in lines:
        groups[(line.code, line.service_date)].append(line)
    return groups


def age_text(low, high) -> str:
    if low is not None and high is not None:
        return f"{low}至{high}岁"
    return f"{low}岁及以上" if low is not None else f"{high}岁及以下"


@rule("item_restriction", params={}, facts=("reason",))
def item_restriction(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """Lines breaking the catalog's restrictions on sex, age or institution level."""
    person = claim.person
    hits = []
    for line in claim.lines:
        item = line.item
        reasons = []
        if item.sex and item.sex != person.sex:
            reasons.append(f"限{SEX_NAMES.get(item.sex, item.sex)}性使用")
        age = person.age_on(line.service_date)
        if (item.age_min is not None and age < item.age_min) or (
            item.age_max is not None and age > item.age_max
        ):
            reasons.append(f"限{age_text(item.age_min, item.age_max)}使用，患者{age}岁")
        if item.levels and claim.institution.level not in item.levels:
            allowed = "、".join(LEVEL_NAMES.get(v, v) for v in item.levels)
            reasons.append(f"限{allowed}医疗机构使用")
        if reasons:
            hits.append(Hit({"reason": "；".join(reasons)}, (line.number,)))
    return hits


def _per_day_over(claim: Claim, limit_of) -> list[Hit]:
    hits = []
    for (_code, when), lines in sorted(by_code_and_day(claim.lines).items()):
        limit = limit_of(lines[0])
        total = sum((line.quantity for line in lines), Decimal(0))
        if limit is not None and total > limit:
            facts = {"date": day(when), "quantity": qty(total), "limit": qty(limit)}
            hits.append(Hit(facts, tuple(line.number for line in lines)))
    return hits


@rule("daily_max_exceeded", params={}, facts=("date", "quantity", "limit"))
def daily_max_exceeded(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """An item's quantity on one day above the catalog's daily maximum (每日最大数量)."""
    return _per_day_over(claim, lambda line: line.item.max_quantity_per_day)


@rule("mue_exceeded", params={}, facts=("date", "quantity", "limit"))
def mue_exceeded(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """Units of an item on one day above its medically unlikely maximum (as NCCI's MUEs):
    clinical plausibility, where the daily maximum is the catalog's payment limit."""
    return _per_day_over(claim, lambda line: line.item.mue)


@rule(
    "day_items_beyond_stay",
    params={"tolerance_days": EXTRA_DAYS},
    facts=("item", "quantity", "days"),
)
def day_items_beyond_stay(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """Day-based items (bed, nursing) counted for more days than the stay lasted."""
    if not claim.inpatient:
        return []
    allowed = claim.length_of_stay + cfg.params["tolerance_days"]
    lines_of: dict[str, list[Line]] = defaultdict(list)
    for line in claim.lines:
        if line.item.day_based:
            lines_of[line.code].append(line)
    hits = []
    for lines in lines_of.values():
        total = sum((line.quantity for line in lines), Decimal(0))
        if total > allowed:
            facts = {
                "item": lines[0].name,
                "quantity": qty(total),
                "days": str(claim.length_of_stay),
            }
            hits.append(Hit(facts, tuple(line.number for line in lines)))
    return hits


@rule("duplicate_charge", params={"kinds": KIND_LIST}, facts=("date", "item"))
def duplicate_charge(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """The same item on two or more lines for one day in one settlement (重复收费).
    Only the kinds configured: a drug given twice a day is usually two orders."""
    kinds = set(cfg.params["kinds"])
    hits = []
    for (_code, when), lines in sorted(by_code_and_day(claim.lines).items()):
        if len(lines) > 1 and lines[0].item.kind in kinds:
            facts = {"date": day(when), "item": lines[0].name}
            hits.append(Hit(facts, tuple(line.number for line in lines)))
    return hits


@rule("over_ceiling", params={"min_over": DECIMAL}, facts=("price", "ceiling", "over"))
def over_ceiling(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """A unit price above the item's price ceiling (超标准收费), by more than `min_over`
    yuan on the line. Settlement already leaves the excess to the patient; the review
    asks why the institution charged it."""
    hits = []
    for line in claim.lines:
        if line.ceiling is None or line.unit_price <= line.ceiling:
            continue
        over = r2(line.quantity * (line.unit_price - line.ceiling))
        if over > cfg.params["min_over"]:
            facts = {
                "price": money(line.unit_price),
                "ceiling": money(line.ceiling),
                "over": money(over),
            }
            hits.append(Hit(facts, (line.number,)))
    return hits


@rule("unbundling", params={"exclusive_pairs": CODE_PAIRS}, facts=("date", "reason"))
def unbundling(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """On one day: a bundled service billed with its own components (the catalog's
    `components`), or both items of a mutually exclusive pair — the catalog's
    `exclusive_with` or a pair configured in the rule set (分解项目收费; NCCI-like
    procedure-to-procedure edits). Bundles first, then pairs in code order."""
    by_day: dict[datetime.date, dict[str, list[Line]]] = defaultdict(lambda: defaultdict(list))
    for line in claim.lines:
        by_day[line.service_date][line.code].append(line)
    configured = {tuple(sorted(pair)) for pair in cfg.params["exclusive_pairs"]}
    hits = []
    for when, codes in sorted(by_day.items()):
        for code, lines in sorted(codes.items()):
            parts = sorted(c for c in lines[0].item.components if c in codes and c != code)
            if parts:
                numbers = [line.number for line in lines]
                numbers += [line.number for c in parts for line in codes[c]]
                reason = bundle_reason(lines[0].name)
                hits.append(Hit({"date": day(when), "reason": reason}, tuple(sorted(numbers))))
        pairs = {p for p in configured if p[0] in codes and p[1] in codes}
        for code, lines in codes.items():
            pairs |= {
                tuple(sorted((code, other)))
                for other in lines[0].item.exclusive_with
                if other in codes and other != code
            }
        for a, b in sorted(pairs):
            numbers = sorted(line.number for line in codes[a] + codes[b])
            reason = exclusive_reason(codes[a][0].name, codes[b][0].name)
            hits.append(Hit({"date": day(when), "reason": reason}, tuple(numbers)))
    return hits


def bundle_reason(name: str) -> str:
    return f"组套项目{name}与其组成项目同日收费"


def exclusive_reason(a: str, b: str) -> str:
    return f"{a}与{b}为互斥项目，同日收费"


@rule(
    "over_dispensing",
    params={"window_days": DAYS, "max_supply_days": DAYS},
    facts=("drug", "supply_days", "window_days", "max_supply_days", "institutions"),
)
def over_dispensing(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """More than `max_supply_days` of one drug (by generic name) dispensed within
    `window_days`, this claim included, across every institution (超量开药)."""
    p = cfg.params
    end = claim.last_date
    start = end - datetime.timedelta(days=p["window_days"] - 1)
    lines_of: dict[str, list[Line]] = defaultdict(list)
    for line in claim.lines:
        if line.days_supply:
            lines_of[line.ingredient].append(line)
    hits = []
    for group, lines in lines_of.items():
        earlier = [
            d
            for d in history.dispensings
            if d.group == group and d.claim_id != claim.id and start <= d.date <= end
        ]
        supply = sum(line.days_supply for line in lines) + sum(d.days_supply for d in earlier)
        if supply > p["max_supply_days"]:
            names = dict.fromkeys([claim.institution.name, *(d.institution_name for d in earlier)])
            facts = {
                "drug": lines[0].name,
                "supply_days": str(supply),
                "window_days": str(p["window_days"]),
                "max_supply_days": str(p["max_supply_days"]),
                "institutions": "、".join(names),
            }
            hits.append(Hit(facts, tuple(line.number for line in lines)))
    return hits


@rule("beyond_qualification", params={}, facts=("qualification",))
def beyond_qualification(claim: Claim, history: History, cfg: RuleConfig) -> list[Hit]:
    """Items needing a qualification the institution does not hold (超资质). An
    institution whose qualifications the registry has not recorded is not judged."""
    held = claim.institution.qualifications
    if held is None:
        return []
    return [
        Hit({"qualification": qualification_name(line.item.qualification)}, (line.number,))
        for line in claim.lines
        if line.item.qualification and line.item.qualification not in held
    ]


def qualification_name(code: str) -> str:
    return QUALIFICATIONS.get(code, code)
