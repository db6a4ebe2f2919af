"""What every rule shares: its spec (parameters and facts it names), its configuration
from the rule set, the hits it returns, and small helpers over codes and lines."""

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from huimin.core.money import fmt
from huimin.review.claim import FEE_CATEGORIES, KINDS, Line

SEVERITIES = {"blocking": "拦截", "warning": "警示", "information": "提示"}
CATEGORIES = {"identity": "身份类", "admission": "住院类", "item": "项目类", "pattern": "模式类"}

# What a rule reads: the claim in hand with its history, one terminal's activity, or a
# group of peers' average costs.
CLAIM, TERMINAL, PEERS = "claim", "terminal", "peers"

# Facts every claim rule's explanation may name.
CLAIM_FACTS = ("lines", "institution", "visit_date", "diagnosis")


# ---------------------------------------------------------------- parameter kinds

ICD_PREFIX = re.compile(r"[A-Z][0-9]{0,2}(\.[0-9]{0,2})?")
ITEM_CODE = re.compile(r"[A-Z0-9]{1,40}")


@dataclass(frozen=True)
class Param:
    """A parameter's kind: `read` turns the YAML value into the rule's value or raises
    ValueError with the Chinese reason."""

    kind: str
    read: Callable
    text: str  # the expected form, in Chinese, for docs and messages


def _int(raw, low: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValueError
    if isinstance(raw, str):
        text = raw.strip()
        # ASCII only: int() would also read full-width and other scripts' digits
        if not (text.isascii() and text.isdigit()):
            raise ValueError
        raw = int(text)
    if raw < low:
        raise ValueError
    return raw


def _read_days(raw):
    try:
        return _int(raw, 1)
    except ValueError:
        raise ValueError("应为正整数天数（不能为负数或零）") from None


def _read_count(raw):
    try:
        return _int(raw, 1)
    except ValueError:
        raise ValueError("应为正整数") from None


def _read_minutes(raw):
    try:
        return _int(raw, 1)
    except ValueError:
        raise ValueError("应为正整数分钟数（不能为负数或零）") from None


def _read_extra_days(raw):
    try:
        return _int(raw, 0)
    except ValueError:
        raise ValueError("应为非负整数天数") from None


def _read_age(raw):
    try:
        value = _int(raw, 0)
    except ValueError:
        value = -1
    if not 0 <= value <= 150:
        raise ValueError("应为0至150之间的整数岁数")
    return value


def _read_month(raw):
    try:
        value = _int(raw, 1)
    except ValueError:
        value = 0
    if not 1 <= value <= 12:
        raise ValueError("应为1至12之间的月份")
    return value


def _read_decimal(raw):
    return decimal_value(raw, '应为非负数值，如 "3.5"')


def _read_ratio(raw):
    value = decimal_value(raw, '应为0到1之间的比例，如 "0.95"')
    if value > 1:
        raise ValueError("比例须在0到1之间")
    return value


def _read_bool(raw):
    if not isinstance(raw, bool):
        raise ValueError("应为 true 或 false")
    return raw


def _read_icd_list(raw) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise ValueError('应为ICD-10诊断编码（前缀）列表，如 ["Z51.1", "Z49"]')
    found = []
    for value in raw:
        text = str(value).strip().upper() if isinstance(value, str) else ""
        if not ICD_PREFIX.fullmatch(text):
            raise ValueError(f"“{value}”不是ICD-10诊断编码（前缀），如 Z51.1、Z49")
        found.append(text)
    return tuple(found)


def _read_icd_groups(raw) -> tuple[tuple[str, ...], ...]:
    if not isinstance(raw, list) or not all(isinstance(g, list) and g for g in raw):
        raise ValueError('应为诊断编码组的列表，如 [["I20", "I21", "I25"]]')
    return tuple(_read_icd_list(g) for g in raw)


def _read_code(value) -> str:
    if not isinstance(value, str):
        # YAML reads an unquoted 001102000010000 as a number and drops the zeros
        raise ValueError(f'项目编码{value}须加引号写成文字，如 "001102000010000"')
    text = value.strip().upper()
    if not ITEM_CODE.fullmatch(text):
        raise ValueError(f"“{value}”不是项目编码（字母数字，不超过40位）")
    return text


def _read_code_list(raw) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise ValueError('应为项目编码列表，如 ["001102000010000"]')
    return tuple(_read_code(v) for v in raw)


def _read_code_pairs(raw) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list) or not all(isinstance(p, list) and len(p) == 2 for p in raw):
        raise ValueError('应为互斥项目编码对的列表，如 [["A", "B"]]')
    pairs = []
    for a, b in raw:
        a, b = _read_code(a), _read_code(b)
        if a == b:
            raise ValueError(f"互斥项目对的两项不能相同：{a}")
        pairs.append((a, b))
    return tuple(pairs)


def _words(raw, allowed: dict[str, str]) -> tuple[str, ...]:
    choices = "、".join(allowed)
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"应为非空列表，可用：{choices}")
    for value in raw:
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(f"“{value}”无法识别，可用：{choices}")
    return tuple(raw)


def _read_kinds(raw):
    return _words(raw, KINDS)


def _read_fee_categories(raw):
    return _words(raw, FEE_CATEGORIES)


def decimal_value(raw, reason: str) -> Decimal:
    """A non-negative decimal from a string or int (a YAML float as the office typed it)."""
    if isinstance(raw, bool):
        raise ValueError(reason)
    if isinstance(raw, float):
        raw = repr(raw)  # YAML reads an unquoted 0.95 as a float; repr is what was typed
    if isinstance(raw, int):
        raw = str(raw)
    if not isinstance(raw, str) or not re.fullmatch(r"[0-9]+(\.[0-9]+)?", raw.strip()):
        raise ValueError(reason)
    return Decimal(raw.strip())


DAYS = Param("days", _read_days, "正整数天数")
EXTRA_DAYS = Param("extra_days", _read_extra_days, "非负整数天数")
COUNT = Param("count", _read_count, "正整数")
MINUTES = Param("minutes", _read_minutes, "正整数分钟数")
AGE = Param("age", _read_age, "整数岁数")
MONTH = Param("month", _read_month, "月份1至12")
DECIMAL = Param("decimal", _read_decimal, "非负数值")
RATIO = Param("ratio", _read_ratio, "0到1之间的比例")
BOOL = Param("bool", _read_bool, "true/false")
ICD_LIST = Param("icd_list", _read_icd_list, "ICD-10编码前缀列表")
ICD_GROUPS = Param("icd_groups", _read_icd_groups, "ICD-10编码前缀组的列表")
CODE_LIST = Param("code_list", _read_code_list, "项目编码列表")
CODE_PAIRS = Param("code_pairs", _read_code_pairs, "项目编码对的列表")
KIND_LIST = Param("kind_list", _read_kinds, "项目类型列表（drug、service、consumable）")
FEE_CATEGORY_LIST = Param("fee_category_list", _read_fee_categories, "收费类别列表")


# ---------------------------------------------------------------- specs and config


@dataclass(frozen=True)
class Exceptions:
    """What a rule set exempts from one rule: claims whose diagnosis starts with one of
    `diagnoses`, claims at `institutions`, and lines of `items` (ignored by the rule)."""

    diagnoses: tuple[str, ...] = ()
    items: frozenset[str] = frozenset()
    institutions: frozenset[str] = frozenset()

    def exempts_diagnosis(self, code: str) -> bool:
        return matches(code, self.diagnoses)


@dataclass(frozen=True)
class RuleConfig:
    """One rule as a rule set configures it."""

    code: str
    name: str
    category: str
    severity: str
    weight: Decimal
    params: dict = field(default_factory=dict)
    exceptions: Exceptions = field(default_factory=Exceptions)
    explanation: str = ""


@dataclass(frozen=True)
class Hit:
    """One occasion a rule fired: the lines and facts behind it, and for pattern rules
    the subject (terminal, institution, doctor) it is about."""

    facts: dict[str, str]
    lines: tuple[int, ...] = ()
    subject: str = ""


@dataclass(frozen=True)
class RuleSpec:
    code: str
    function: Callable
    params: dict[str, Param]
    facts: tuple[str, ...]  # the names its explanation template may use
    reads: str = CLAIM
    realtime: bool = True  # cheap enough for the counter (pre-settle and settle)


REGISTRY: dict[str, RuleSpec] = {}


def rule(code: str, *, params: dict[str, Param], facts: Iterable[str], reads=CLAIM, realtime=True):
    """Register a rule function under `code` with the parameters it needs."""

    def register(function):
        extra = CLAIM_FACTS if reads == CLAIM else ()
        REGISTRY[code] = RuleSpec(
            code, function, params, tuple(dict.fromkeys((*extra, *facts))), reads, realtime
        )
        return function

    return register


# ---------------------------------------------------------------- helpers


def icd_category(code: str) -> str:
    """The ICD-10 category: the letter and two digits (I21.0 → I21)."""
    return code.strip().upper()[:3]


def matches(code: str, prefixes: Iterable[str]) -> bool:
    """Whether an ICD-10 code falls under one of the prefixes (Z51.1 under Z51, Z51.1)."""
    code = code.strip().upper()
    return any(code.startswith(p) for p in prefixes)


def day(value: datetime.date) -> str:
    return value.isoformat()


def money(value: Decimal) -> str:
    return fmt(value)


def qty(value: Decimal) -> str:
    return format(value.normalize(), "f")


def line_names(lines: Iterable[Line]) -> str:
    """第2行（床位费）、第5行（床位费）— how explanations name the lines."""
    return "、".join(f"第{line.number}行（{line.name}）" for line in lines)
