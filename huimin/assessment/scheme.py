"""An assessment scheme as data: parse and validate the YAML whole. Pure.

Every problem is collected under a path naming the item and the parameter
("indicators[2].target"), so an assessor fixes the document in one go.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources

import yaml

RULES = {"linear": "线性计分（达到目标值得满分）", "thresholds": "分档计分"}
ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)


class SchemeError(ValueError):
    def __init__(self, problems: dict[str, str]):
        super().__init__("；".join(f"{k} {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Threshold:
    at: Decimal  # a rate, as a fraction
    share: Decimal  # the share of the weight earned at or above it


@dataclass(frozen=True)
class Item:
    code: str
    weight: Decimal
    rule: str
    target: Decimal | None = None
    thresholds: tuple[Threshold, ...] = ()


@dataclass(frozen=True)
class Deduction:
    code: str
    below: Decimal  # a rate under which points are taken off
    per_point: Decimal  # points off per percentage point below
    max: Decimal


@dataclass(frozen=True)
class Tier:
    min: Decimal
    ratio: Decimal
    label: str


@dataclass(frozen=True)
class Scheme:
    name: str
    region: str
    year: int
    per_capita_funding: Decimal
    village_share: Decimal
    tiers: tuple[Tier, ...]  # highest min first
    items: tuple[Item, ...]
    deductions: tuple[Deduction, ...]
    workload_weights: dict[str, Decimal]

    def tier_for(self, score: Decimal) -> Tier:
        for tier in self.tiers:
            if score >= tier.min:
                return tier
        return self.tiers[-1]

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.items] + [d.code for d in self.deductions]


def _dec(raw, path, problems, *, lo=None, hi=None) -> Decimal | None:
    if isinstance(raw, bool) or raw is None or isinstance(raw, float):
        # A float is refused: 0.1 in YAML is already inexact. Quote it ("0.10").
        problems[path] = '应为数字（小数请加引号，如 "0.90"）' if isinstance(raw, float) else "缺失"
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        problems[path] = f"不是数字：{raw}"
        return None
    if not value.is_finite():
        problems[path] = f"不是数字：{raw}"
        return None
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        problems[path] = f"应在 {lo} 至 {hi} 之间"
        return None
    return value


def parse_scheme(text: str, known_indicators: set[str] | None = None) -> Scheme:
    """The scheme, or SchemeError naming every problem. `known_indicators`: the codes the
    reports app defines (checked when given)."""
    problems: dict[str, str] = {}
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemeError({"yaml": f"无法解析：{str(exc)[:200]}"}) from None
    if not isinstance(doc, dict):
        raise SchemeError({"yaml": "应为键值对文档"})
    name = str(doc.get("name") or "").strip()
    if not name:
        problems["name"] = "缺失"
    region = str(doc.get("region") or "").strip()
    if not (region.isascii() and region.isdigit() and len(region) == 6):
        problems["region"] = "应为6位县级区划代码（加引号）"
    year = doc.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2999:
        problems["year"] = "应为年度，如 2026"
    funding = _dec(
        doc.get("per_capita_funding"), "per_capita_funding", problems, lo=ZERO, hi=Decimal(1000)
    )
    share = _dec(doc.get("village_share"), "village_share", problems, lo=ZERO, hi=ONE)

    tiers: list[Tier] = []
    raw_tiers = doc.get("tiers")
    if not isinstance(raw_tiers, list) or not raw_tiers:
        problems["tiers"] = "应为至少一档的列表"
        raw_tiers = []
    for n, t in enumerate(raw_tiers):
        p = f"tiers[{n}]"
        if not isinstance(t, dict):
            problems[p] = "应为 {min, ratio, label}"
            continue
        lo_ = _dec(t.get("min"), f"{p}.min", problems, lo=ZERO, hi=HUNDRED)
        ratio = _dec(t.get("ratio"), f"{p}.ratio", problems, lo=ZERO, hi=ONE)
        if lo_ is not None and ratio is not None:
            label = str(t.get("label") or f"拨付{(ratio * 100).normalize():f}%")
            tiers.append(Tier(lo_, ratio, label))
    if tiers:
        mins = [t.min for t in tiers]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            problems["tiers"] = "各档下限应从高到低排列且不重复"
        elif mins[-1] != ZERO:
            problems[f"tiers[{len(tiers) - 1}].min"] = "最低一档的下限应为0"

    items: list[Item] = []
    raw_items = doc.get("indicators")
    if not isinstance(raw_items, list) or not raw_items:
        problems["indicators"] = "应为至少一项指标的列表"
        raw_items = []
    seen: set[str] = set()
    for n, it in enumerate(raw_items):
        p = f"indicators[{n}]"
        if not isinstance(it, dict):
            problems[p] = "应为 {code, weight, rule, ...}"
            continue
        code = str(it.get("code") or "").strip()
        if not code:
            problems[f"{p}.code"] = "缺失"
        elif known_indicators is not None and code not in known_indicators:
            problems[f"{p}.code"] = f"未知指标：{code}"
        elif code in seen:
            problems[f"{p}.code"] = f"指标 {code} 重复"
        seen.add(code)
        weight = _dec(it.get("weight"), f"{p}.weight", problems, lo=ZERO, hi=HUNDRED)
        rule = it.get("rule")
        if rule not in RULES:
            problems[f"{p}.rule"] = f"应为 {' 或 '.join(RULES)}"
            continue
        target, thresholds = None, []
        if rule == "linear":
            target = _dec(it.get("target"), f"{p}.target", problems, lo=ZERO, hi=ONE)
            if target == ZERO:
                problems[f"{p}.target"] = "目标值应大于0"
        else:
            raw_th = it.get("thresholds")
            if not isinstance(raw_th, list) or not raw_th:
                problems[f"{p}.thresholds"] = "应为至少一档的列表"
                raw_th = []
            for m, th in enumerate(raw_th):
                q = f"{p}.thresholds[{m}]"
                if not isinstance(th, dict):
                    problems[q] = "应为 {at, share}"
                    continue
                at = _dec(th.get("at"), f"{q}.at", problems, lo=ZERO, hi=ONE)
                sh = _dec(th.get("share"), f"{q}.share", problems, lo=ZERO, hi=ONE)
                if at is not None and sh is not None:
                    thresholds.append(Threshold(at, sh))
            ats = [t.at for t in thresholds]
            if ats and ats != sorted(set(ats), reverse=True):
                problems[f"{p}.thresholds"] = "各档应从高到低排列且不重复"
        if code and weight is not None:
            items.append(Item(code, weight, rule, target, tuple(thresholds)))
    if items and len(items) == len(raw_items):
        total = sum((i.weight for i in items), ZERO)
        if total != HUNDRED:
            problems["indicators"] = f"各项权重之和应为100，现为{total}"

    deductions: list[Deduction] = []
    raw_ded = doc.get("deductions") or []
    if not isinstance(raw_ded, list):
        problems["deductions"] = "应为列表"
        raw_ded = []
    for n, d in enumerate(raw_ded):
        p = f"deductions[{n}]"
        if not isinstance(d, dict):
            problems[p] = "应为 {code, below, per_point, max}"
            continue
        code = str(d.get("code") or "").strip()
        if not code or (known_indicators is not None and code not in known_indicators):
            problems[f"{p}.code"] = f"未知指标：{code}" if code else "缺失"
        below = _dec(d.get("below"), f"{p}.below", problems, lo=ZERO, hi=ONE)
        per = _dec(d.get("per_point"), f"{p}.per_point", problems, lo=ZERO, hi=HUNDRED)
        mx = _dec(d.get("max"), f"{p}.max", problems, lo=ZERO, hi=HUNDRED)
        if code and None not in (below, per, mx):
            deductions.append(Deduction(code, below, per, mx))

    weights: dict[str, Decimal] = {}
    raw_w = doc.get("workload_weights") or {}
    if not isinstance(raw_w, dict):
        problems["workload_weights"] = "应为 表单类型: 分值"
        raw_w = {}
    for kind, w in raw_w.items():
        v = _dec(w, f"workload_weights.{kind}", problems, lo=ZERO, hi=HUNDRED)
        if v is not None:
            weights[str(kind)] = v

    if problems:
        raise SchemeError(problems)
    return Scheme(
        name=name,
        region=region,
        year=year,
        per_capita_funding=funding,
        village_share=share,
        tiers=tuple(tiers),
        items=tuple(items),
        deductions=tuple(deductions),
        workload_weights=weights,
    )


def default_document(region_code: str, year: int, region_name: str = "") -> str:
    """The shipped scheme with its name, region and year lines rewritten."""
    text = resources.files("huimin.assessment").joinpath("default_scheme.yaml").read_text("utf-8")
    out = []
    for line in text.splitlines():
        if line.startswith("name:"):
            line = f"name: {year}年度{region_name}基本公共卫生服务绩效考核方案"
        elif line.startswith("region:"):
            line = f'region: "{region_code}"'
        elif line.startswith("year:"):
            line = f"year: {year}"
        out.append(line)
    return "\n".join(out) + "\n"
