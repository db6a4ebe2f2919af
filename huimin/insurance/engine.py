"""The settlement engine (DESIGN.md §5): a pure function of plan, claim and year-to-date.

`adjudicate(plan, claim, ytd) -> Settlement`. No database, no clock, no I/O: the service
layer supplies the accumulators under a row lock and writes the result; `huimin settle`
prints it. Every amount is a Decimal in yuan; `r2` rounds to the fen, half up.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from huimin.core.money import ZERO, fmt, parse_decimal, r2
from huimin.insurance.plan import LEVELS, Plan

CLASSES = ("A", "B", "C")


@dataclass(frozen=True)
class Limits:
    r"""The magnitudes a fee line may have, one table for every entry point: the HTTP API
    (huimin/insurance/api.py: quantity \d{1,8}, unit price \d{1,10}, lines per upload),
    the counter form, the fee upload and `huimin settle`. Bounded, every sum and product
    stays well inside the decimal context's 28 digits, and a line's amount inside the
    14-digit money columns. The number of decimals is not limited here: §5 rounds each
    amount to the fen, whatever the price's precision."""

    lines_per_upload: int = 500
    quantity: Decimal = Decimal("99999999.9999")
    unit_price: Decimal = Decimal("9999999999.9999")
    line_amount: Decimal = Decimal("99999999.99")
    ytd: Decimal = Decimal("999999999999.99")


LIMITS = Limits()


class ClaimError(ValueError):
    """Bad claim or accumulator input: {field path: reason}."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("；".join(f"{k}: {v}" for k, v in problems.items()))


# ---------------------------------------------------------------- input


@dataclass(frozen=True)
class ClaimLine:
    code: str
    name: str
    cls: str
    quantity: Decimal
    unit_price: Decimal
    ceiling: Decimal | None = None
    b_self_ratio: Decimal | None = None


@dataclass(frozen=True)
class Claim:
    visit_type: str
    institution_level: str
    person_category: str
    lines: tuple[ClaimLine, ...]


@dataclass(frozen=True)
class YearToDate:
    basic_paid: Decimal = ZERO
    basic_paid_by_type: dict[str, Decimal] = field(default_factory=dict)
    deductible_paid_by_type: dict[str, Decimal] = field(default_factory=dict)
    ci_base: Decimal = ZERO
    ci_paid: Decimal = ZERO
    assistance_paid: Decimal = ZERO

    def as_json(self) -> dict:
        return {
            "basic_paid": fmt(self.basic_paid),
            "basic_paid_by_type": {k: fmt(v) for k, v in sorted(self.basic_paid_by_type.items())},
            "deductible_paid_by_type": {
                k: fmt(v) for k, v in sorted(self.deductible_paid_by_type.items())
            },
            "ci_base": fmt(self.ci_base),
            "ci_paid": fmt(self.ci_paid),
            "assistance_paid": fmt(self.assistance_paid),
        }


def _number(raw, path: str, problems: dict, *, positive=False, allow_none=False, limit=None):
    if raw is None:
        if allow_none:
            return None
        problems[path] = "缺少此项"
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        problems[path] = "应为数值字符串"
        return None
    try:
        value = parse_decimal(repr(raw) if isinstance(raw, float) else raw, path)
    except ValueError:
        problems[path] = "应为非负数值" if not positive else "应为大于0的数值"
        return None
    # Before any arithmetic: rounding 1e400000 to the fen overflows the context.
    if limit is not None and value > limit:
        problems[path] = f"数值过大（不超过{limit}）"
        return None
    if positive and value <= 0:
        problems[path] = "应大于0"
        return None
    return value


def parse_claim(doc, plan: Plan) -> Claim:
    problems: dict[str, str] = {}
    if not isinstance(doc, dict):
        raise ClaimError({"claim": "应为JSON对象"})
    vt = doc.get("visit_type")
    if vt is None:
        problems["visit_type"] = "缺少此项"
    elif not isinstance(vt, str):
        problems["visit_type"] = f"应为字符串（可选：{'、'.join(plan.visit_types)}）"
    elif vt not in plan.visit_types:
        problems["visit_type"] = f"就诊类型{vt!r}不在方案中（可选：{'、'.join(plan.visit_types)}）"
    level = doc.get("institution_level")
    if level is None:
        problems["institution_level"] = "缺少此项"
    elif not isinstance(level, str | int) or isinstance(level, bool) or str(level) not in LEVELS:
        problems["institution_level"] = "机构等级应为1、2、3或out_of_area"
    category = doc.get("person_category", "ordinary")
    if not isinstance(category, str) or not category:
        problems["person_category"] = "人员类别应为字符串，如ordinary、dibao、tekun"
    raw_lines = doc.get("lines")
    lines = []
    if not isinstance(raw_lines, list) or not raw_lines:
        problems["lines"] = "至少要有一条费用明细"
        raw_lines = []
    for i, raw in enumerate(raw_lines):
        path = f"lines[{i}]"
        if not isinstance(raw, dict):
            problems[path] = "应为JSON对象"
            continue
        code = raw.get("code")
        if not isinstance(code, str) or not code.strip():
            problems[f"{path}.code"] = "缺少项目编码"
        cls = raw.get("class")
        if cls not in CLASSES:
            problems[f"{path}.class"] = "目录类别应为A、B或C"
        qty = _number(
            raw.get("quantity"),
            f"{path}.quantity",
            problems,
            positive=True,
            limit=LIMITS.quantity,
        )
        price = _number(
            raw.get("unit_price"),
            f"{path}.unit_price",
            problems,
            limit=LIMITS.unit_price,
        )
        ceiling = _number(
            raw.get("ceiling"),
            f"{path}.ceiling",
            problems,
            allow_none=True,
            limit=LIMITS.unit_price,
        )
        ratio = _number(raw.get("b_self_ratio"), f"{path}.b_self_ratio", problems, allow_none=True)
        if ratio is not None and ratio > 1:
            problems[f"{path}.b_self_ratio"] = "乙类自付比例须在0到1之间"
        name = raw.get("name", "")
        lines.append(
            ClaimLine(
                code=str(code or ""),
                name=str(name or ""),
                cls=str(cls),
                quantity=qty or ZERO,
                unit_price=price or ZERO,
                ceiling=ceiling,
                b_self_ratio=ratio,
            )
        )
    if problems:
        raise ClaimError(problems)
    return Claim(str(vt), str(level), category, tuple(lines))


def parse_ytd(doc) -> YearToDate:
    if doc is None:
        return YearToDate()
    if not isinstance(doc, dict):
        raise ClaimError({"ytd": "应为JSON对象"})
    problems: dict[str, str] = {}

    def amount(key):
        value = _number(doc.get(key, "0"), f"ytd.{key}", problems, limit=LIMITS.ytd)
        return value if value is not None else ZERO

    def by_type(key):
        raw = doc.get(key) or {}
        if not isinstance(raw, dict):
            problems[f"ytd.{key}"] = "应为JSON对象"
            return {}
        out = {}
        for k, v in raw.items():
            value = _number(v, f"ytd.{key}.{k}", problems, limit=LIMITS.ytd)
            if value is not None:
                out[str(k)] = value
        return out

    ytd = YearToDate(
        basic_paid=amount("basic_paid"),
        basic_paid_by_type=by_type("basic_paid_by_type"),
        deductible_paid_by_type=by_type("deductible_paid_by_type"),
        ci_base=amount("ci_base"),
        ci_paid=amount("ci_paid"),
        assistance_paid=amount("assistance_paid"),
    )
    if problems:
        raise ClaimError(problems)
    return ytd


# ---------------------------------------------------------------- output


@dataclass(frozen=True)
class LineResult:
    code: str
    amount: Decimal
    self_pay: Decimal
    b_self_pay: Decimal
    eligible: Decimal


@dataclass(frozen=True)
class Settlement:
    total: Decimal
    self_pay: Decimal
    b_self_pay: Decimal
    eligible: Decimal
    deductible: Decimal
    basic_fund: Decimal
    critical_illness: Decimal
    assistance: Decimal
    patient_pay: Decimal
    lines: tuple[LineResult, ...]
    ytd_after: YearToDate

    def as_json(self) -> dict:
        return {
            "total": fmt(self.total),
            "self_pay": fmt(self.self_pay),
            "b_self_pay": fmt(self.b_self_pay),
            "eligible": fmt(self.eligible),
            "deductible": fmt(self.deductible),
            "basic_fund": fmt(self.basic_fund),
            "critical_illness": fmt(self.critical_illness),
            "assistance": fmt(self.assistance),
            "patient_pay": fmt(self.patient_pay),
            "lines": [
                {
                    "code": ln.code,
                    "amount": fmt(ln.amount),
                    "self_pay": fmt(ln.self_pay),
                    "b_self_pay": fmt(ln.b_self_pay),
                    "eligible": fmt(ln.eligible),
                }
                for ln in self.lines
            ],
            "ytd_after": self.ytd_after.as_json(),
        }


# ---------------------------------------------------------------- the rules


def split_line(line: ClaimLine, plan_b_ratio: Decimal) -> LineResult:
    """Self-pay (class C, above the ceiling), the 乙类 share, and the eligible rest."""
    amount = r2(line.quantity * line.unit_price)
    if line.cls == "C":
        return LineResult(line.code, amount, amount, ZERO, ZERO)
    over = ZERO
    if line.ceiling is not None:
        over = r2(line.quantity * max(ZERO, line.unit_price - line.ceiling))
    b_self = ZERO
    if line.cls == "B":
        ratio = line.b_self_ratio if line.b_self_ratio is not None else plan_b_ratio
        b_self = r2((amount - over) * ratio)
    return LineResult(line.code, amount, over, b_self, amount - over - b_self)


def _ci_schedule(x: Decimal, deductible: Decimal, segments, bonus: Decimal) -> Decimal:
    """f(x): the segmented critical-illness payment on cumulative out-of-pocket x."""
    paid = Decimal(0)
    lower = deductible
    for seg in segments:
        upper = x if seg.upto is None else min(x, seg.upto)
        if upper > lower:
            paid += (upper - lower) * min(Decimal(1), seg.ratio + bonus)
        if seg.upto is not None:
            lower = max(lower, seg.upto)
        if x <= lower:
            break
    return paid


def adjudicate(plan: Plan, claim: Claim, ytd: YearToDate) -> Settlement:
    lines = tuple(split_line(ln, plan.b_self_ratio) for ln in claim.lines)
    total = sum((ln.amount for ln in lines), ZERO)
    self_pay = sum((ln.self_pay for ln in lines), ZERO)
    b_self_pay = sum((ln.b_self_pay for ln in lines), ZERO)
    eligible = sum((ln.eligible for ln in lines), ZERO)

    vt = plan.visit_types[claim.visit_type]
    level = claim.institution_level
    group = plan.groups.get(claim.person_category)
    by_type = dict(ytd.basic_paid_by_type)
    ded_by_type = dict(ytd.deductible_paid_by_type)

    # Basic tier.
    deductible_applied = ZERO
    basic = ZERO
    if level in vt.ratio:
        factor = group.deductible_factor if group else Decimal(1)
        bonus = group.ratio_bonus if group else Decimal(0)
        deductible = r2(vt.deductible.get(level, ZERO) * factor)
        if vt.deductible_per == "year":
            deductible = max(ZERO, deductible - ded_by_type.get(vt.code, ZERO))
        deductible_applied = min(eligible, deductible)
        ratio = min(Decimal(1), vt.ratio[level] + bonus)
        basic = r2((eligible - deductible_applied) * ratio)
        basic = min(basic, plan.annual_cap - ytd.basic_paid)
        if vt.annual_limit is not None:
            basic = min(basic, vt.annual_limit - by_type.get(vt.code, ZERO))
        basic = max(ZERO, basic)
    by_type[vt.code] = by_type.get(vt.code, ZERO) + basic
    if vt.deductible_per == "year":
        ded_by_type[vt.code] = ded_by_type.get(vt.code, ZERO) + deductible_applied

    # Critical-illness tier, on the year's cumulative eligible out-of-pocket.
    critical = ZERO
    ci_base = ytd.ci_base
    ci = plan.critical_illness
    if ci is not None and claim.visit_type in ci.visit_types:
        cg = ci.groups.get(claim.person_category)
        ci_deductible = cg.deductible if cg and cg.deductible is not None else ci.deductible
        ci_bonus = cg.ratio_bonus if cg else Decimal(0)
        cap = cg.cap if cg and cg.cap_set else ci.cap
        oop = eligible - basic
        before, after = ci_base, ci_base + oop
        critical = r2(
            _ci_schedule(after, ci_deductible, ci.segments, ci_bonus)
            - _ci_schedule(before, ci_deductible, ci.segments, ci_bonus)
        )
        if cap is not None:
            critical = min(critical, cap - ytd.ci_paid)
        critical = max(ZERO, critical)
        ci_base = after

    # Medical-assistance tier, for the special groups the plan lists.
    assistance = ZERO
    rule = plan.assistance.get(claim.person_category)
    if rule is not None:
        assistance = r2((eligible - basic - critical) * rule.ratio)
        if rule.annual_cap is not None:
            assistance = min(assistance, rule.annual_cap - ytd.assistance_paid)
        assistance = max(ZERO, assistance)

    ytd_after = replace(
        ytd,
        basic_paid=ytd.basic_paid + basic,
        basic_paid_by_type=by_type,
        deductible_paid_by_type=ded_by_type,
        ci_base=ci_base,
        ci_paid=ytd.ci_paid + critical,
        assistance_paid=ytd.assistance_paid + assistance,
    )
    return Settlement(
        total=total,
        self_pay=self_pay,
        b_self_pay=b_self_pay,
        eligible=eligible,
        deductible=deductible_applied,
        basic_fund=basic,
        critical_illness=critical,
        assistance=assistance,
        patient_pay=total - basic - critical - assistance,
        lines=lines,
        ytd_after=ytd_after,
    )
