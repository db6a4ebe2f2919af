"""The rule library as data (智能审核规则库): one YAML document per pooling region and year.

`parse_rule_set(text)` reads it strictly and refuses it whole: every problem is
collected and reported at once, each under the path of the field that has it
(`rules.split_admission.params.window_days`) with the reason in Chinese. Nothing of a
refused document is ever used. The format is described in docs/review.md; the default
set ships as `default_rules.yaml` beside this module.
"""

import itertools
import string
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import yaml

from huimin.review.rules import REGISTRY
from huimin.review.rules.base import (
    CATEGORIES,
    CODE_LIST,
    ICD_LIST,
    SEVERITIES,
    Exceptions,
    RuleConfig,
    decimal_value,
)

COLOURS = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}  # highest first

TOP_KEYS = frozenset({"rule_set", "region", "year", "notes", "scoring", "rules"})
SCORING_KEYS = frozenset({"severity_factors", "colours", "confirmed_factor"})
# A finding a reviewer confirmed counts this many times its weight in the risk scores
# (docs/review.md, "Scores follow decisions"); a rule set that leaves it out gets this.
DEFAULT_CONFIRMED_FACTOR = Decimal("2")
RULE_KEYS = frozenset(
    {"code", "name", "category", "severity", "weight", "params", "exceptions", "explanation"}
    | {"notes"}
)
EXCEPTION_KEYS = frozenset({"diagnoses", "items", "institutions"})

# Findings are indications for a reviewer; whether anyone meant to defraud is for the
# reviewer to establish. An explanation that pronounces a verdict is refused.
VERDICT_WORDS = ("欺诈", "骗保", "骗取", "诈骗", "违法", "犯罪", "认定")


class RuleSetError(ValueError):
    """All the problems with a rule set, as {field path: Chinese reason}."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("；".join(f"{k}: {v}" for k, v in problems.items()))


@dataclass(frozen=True)
class RuleSet:
    name: str
    region: str
    year: int
    severity_factors: dict[str, Decimal]
    colours: dict[str, Decimal]  # red, orange, yellow, blue: the lowest score of each
    rules: dict[str, RuleConfig] = field(default_factory=dict)  # in the document's order
    # A confirmed finding's weight × severity factor is multiplied by this (>= 1).
    confirmed_factor: Decimal = DEFAULT_CONFIRMED_FACTOR


def parse_rule_set(text: str) -> RuleSet:
    """The rule set in the YAML `text`, or RuleSetError naming every problem."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleSetError({"rule_set": f"YAML格式错误：{exc}"}) from None
    return parse_rule_set_doc(doc)


@lru_cache(maxsize=1)
def default_rule_set() -> RuleSet:
    """The rule set shipped with Huimin: a starting point an office copies and edits."""
    text = resources.files("huimin.review").joinpath("default_rules.yaml").read_text("utf-8")
    return parse_rule_set(text)


class _Reader:
    def __init__(self):
        self.problems: dict[str, str] = {}

    def fail(self, path: str, reason: str) -> None:
        self.problems.setdefault(path, reason)

    def mapping(self, data, path: str, *, required: bool = True) -> dict:
        if data is None:
            if required:
                self.fail(path, "缺少此项")
            return {}
        if not isinstance(data, dict):
            self.fail(path, "应为映射（键: 值）")
            return {}
        return data

    def known(self, data: dict, path: str, allowed: frozenset[str]) -> None:
        for key in data:
            if str(key) not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, f"无法识别的项（拼写错误？可用：{'、'.join(sorted(allowed))}）")

    def text(self, data: dict, key: str, path: str, limit: int) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "缺少此项" if value is None else "应为文字")
            return ""
        if len(value) > limit:
            self.fail(path, f"不能超过{limit}字")
        return value.strip()

    def decimal(self, data: dict, key: str, path: str, reason: str) -> Decimal:
        if key not in data or data[key] is None:
            self.fail(path, "缺少此项")
            return Decimal(0)
        try:
            return decimal_value(data[key], reason)
        except ValueError as exc:
            self.fail(path, str(exc))
            return Decimal(0)


def parse_rule_set_doc(doc) -> RuleSet:
    r = _Reader()
    doc = r.mapping(doc, "rule_set")
    r.known(doc, "", TOP_KEYS)
    name = r.text(doc, "rule_set", "rule_set", 100)
    region = str(doc.get("region", "")).strip()
    if not (region.isdigit() and len(region) in (6, 9, 12)):
        r.fail("region", '统筹区应为6位（或9/12位）区划代码，如 "430522"')
    year = doc.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not (2000 <= year <= 2100):
        r.fail("year", "年度应为2000至2100之间的整数")
        year = 0

    scoring = r.mapping(doc.get("scoring"), "scoring")
    r.known(scoring, "scoring", SCORING_KEYS)
    factors = {}
    f_doc = r.mapping(scoring.get("severity_factors"), "scoring.severity_factors")
    r.known(f_doc, "scoring.severity_factors", frozenset(SEVERITIES))
    for severity in SEVERITIES:
        path = f"scoring.severity_factors.{severity}"
        factors[severity] = r.decimal(f_doc, severity, path, '应为非负数值，如 "3"')
    colours = {}
    c_doc = r.mapping(scoring.get("colours"), "scoring.colours")
    r.known(c_doc, "scoring.colours", frozenset(COLOURS))
    for colour in COLOURS:
        path = f"scoring.colours.{colour}"
        colours[colour] = r.decimal(c_doc, colour, path, '应为正数分值，如 "60"')
    if len(c_doc) == len(COLOURS) and all(str(k) in COLOURS for k in c_doc):
        ordered = [colours[c] for c in COLOURS]
        if not all(a > b for a, b in itertools.pairwise(ordered)) or ordered[-1] <= 0:
            r.fail("scoring.colours", "分值须满足 红 > 橙 > 黄 > 蓝 > 0")

    confirmed_factor = DEFAULT_CONFIRMED_FACTOR
    if "confirmed_factor" in scoring:
        path = "scoring.confirmed_factor"
        reason = '应为1至10之间的数值，如 "2"（核实违规的疑点不低于待审核的分值）'
        confirmed_factor = r.decimal(scoring, "confirmed_factor", path, reason)
        if path not in r.problems and not 1 <= confirmed_factor <= 10:
            r.fail(path, reason)

    rules: dict[str, RuleConfig] = {}
    rule_docs = doc.get("rules")
    if not isinstance(rule_docs, list) or not rule_docs:
        r.fail("rules", "应为规则列表，至少一条")
        rule_docs = []
    for i, rule_doc in enumerate(rule_docs):
        config = _parse_rule(r, rule_doc, i)
        if config is None:
            continue
        if config.code in rules:
            r.fail(f"rules.{config.code}", "规则重复出现")
        rules[config.code] = config

    if r.problems:
        raise RuleSetError(r.problems)
    return RuleSet(name, region, year, factors, colours, rules, confirmed_factor)


def _parse_rule(r: _Reader, doc, i: int) -> RuleConfig | None:
    doc = r.mapping(doc, f"rules[{i}]")
    if not doc:
        return None
    code = doc.get("code")
    spec = REGISTRY.get(code) if isinstance(code, str) else None
    if spec is None:
        where = f"rules[{i}].code"
        if code is None:
            r.fail(where, "缺少规则编码")
        else:
            r.fail(where, f"未知的规则编码“{code}”（可用：{'、'.join(REGISTRY)}）")
        return None
    path = f"rules.{code}"
    r.known(doc, path, RULE_KEYS)
    name = r.text(doc, "name", f"{path}.name", 30)
    category = doc.get("category")
    if category not in CATEGORIES:
        r.fail(f"{path}.category", f"类别应为：{'、'.join(CATEGORIES)}")
    severity = doc.get("severity")
    if severity not in SEVERITIES:
        r.fail(
            f"{path}.severity",
            "严重程度应为 blocking（拦截）、warning（警示）或 information（提示）",
        )
    elif severity == "blocking" and not spec.realtime:
        r.fail(f"{path}.severity", "批量规则不在结算时运行，不能设为 blocking（拦截）")
    weight = r.decimal(doc, "weight", f"{path}.weight", '权重应为非负数值，如 "10"')

    params = {}
    p_doc = r.mapping(doc.get("params"), f"{path}.params", required=bool(spec.params))
    r.known(p_doc, f"{path}.params", frozenset(spec.params))
    for key, kind in spec.params.items():
        where = f"{path}.params.{key}"
        if key not in p_doc or p_doc[key] is None:
            r.fail(where, f"缺少此参数（{kind.text}）")
            continue
        try:
            params[key] = kind.read(p_doc[key])
        except ValueError as exc:
            r.fail(where, str(exc) or f"应为{kind.text}")

    exceptions = Exceptions()
    e_doc = r.mapping(doc.get("exceptions"), f"{path}.exceptions", required=False)
    r.known(e_doc, f"{path}.exceptions", EXCEPTION_KEYS)
    read = {}
    for key, kind in (("diagnoses", ICD_LIST), ("items", CODE_LIST), ("institutions", CODE_LIST)):
        if key in e_doc:
            try:
                read[key] = kind.read(e_doc[key])
            except ValueError as exc:
                r.fail(f"{path}.exceptions.{key}", str(exc))
    if read:
        exceptions = Exceptions(
            diagnoses=read.get("diagnoses", ()),
            items=frozenset(read.get("items", ())),
            institutions=frozenset(read.get("institutions", ())),
        )

    explanation = r.text(doc, "explanation", f"{path}.explanation", 300)
    if explanation:
        _check_template(r, explanation, f"{path}.explanation", spec.facts)
    return RuleConfig(
        code=code,
        name=name,
        category=category if category in CATEGORIES else "",
        severity=severity if severity in SEVERITIES else "",
        weight=weight,
        params=params,
        exceptions=exceptions,
        explanation=explanation,
    )


def _check_template(r: _Reader, template: str, path: str, facts: tuple[str, ...]) -> None:
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(template)
            if name is not None
        ]
    except ValueError:
        r.fail(path, "花括号不成对（字面的花括号写作 {{ 和 }}）")
        return
    for name, spec, conversion in fields:
        if name not in facts or spec or conversion:
            r.fail(path, f"无法识别的占位符{{{name}}}（可用：{'、'.join(facts)}）")
            return
    for word in VERDICT_WORDS:
        if word in template:
            r.fail(path, f"说明应为提示核查（如“疑似…，请核实”），不能下结论（含“{word}”）")
            return
