"""Benefit plans in the database: upload, validate, compare, activate (four eyes), find.

A region's plan for a year is the YAML of DESIGN.md §5. It is uploaded by one officer,
validated (all problems at once), and activated by a second, different officer; the
previously active plan for that region and year is then superseded.
"""

from functools import lru_cache

from huimin.core.errors import ValidationFailed
from huimin.core.statements import INT, InList
from huimin.insurance.models import BenefitPlan, PlanStatus
from huimin.insurance.plan import (
    LEVEL_NAMES,
    STANDARD_VISIT_TYPE_NAMES,
    Plan,
    PlanError,
    load_plan_yaml,
    visit_type_name,
)
from huimin.policy.four_eyes import FourEyesDocuments
from huimin.registry.models import SpecialCategory


@lru_cache(maxsize=64)
def _parsed(plan_id: int, document: str) -> Plan:
    return load_plan_yaml(document)


def parsed(plan: BenefitPlan) -> Plan:
    """The plan's engine form, parsed once per process (keyed on id and text)."""
    return _parsed(plan.pk, plan.document)


def check_document(document: str) -> Plan:
    """An uploaded plan, read strictly: unknown keys and special groups are refused."""
    try:
        return load_plan_yaml(document, strict=True, categories=frozenset(SpecialCategory.values))
    except PlanError as exc:
        raise ValidationFailed(
            {f"document.{k}": v for k, v in exc.problems.items()},
            code="plan_invalid",
            message="结算方案有误：" + "；".join(f"{k} {v}" for k, v in exc.problems.items()),
        ) from None


PLANS = FourEyesDocuments(
    model=BenefitPlan,
    object_type="insurance.plan",
    label="结算方案",
    permission="plan.manage",
    check_document=check_document,
    code="plan",
)


def do_upload_plan(user, document: str, note: str = "", *, request=None) -> BenefitPlan:
    return PLANS.upload(user, document, note, request=request)


def do_activate_plan(user, plan_id: int, *, request=None) -> BenefitPlan:
    return PLANS.activate(user, plan_id, request=request)


# Every settlement transaction asks this: compiled once per number of prefixes.
_ACTIVE = InList(
    lambda prefixes, year: BenefitPlan.objects.filter(
        region_code__in=prefixes, year=year, status=PlanStatus.ACTIVE
    ).order_by(),
    year=INT,
)


def active_plan_for(region_code: str, year: int) -> BenefitPlan | None:
    """The active plan of the pooling region containing `region_code` (longest prefix)."""
    prefixes = {region_code[:n] for n in (6, 9, 12) if len(region_code) >= n}
    prefixes |= {region_code[:2], region_code[:4]}
    candidates = _ACTIVE.rows(sorted(prefixes), year=year)
    best = None
    for plan in candidates:
        if best is None or len(plan.region_code) > len(best.region_code):
            best = plan
    return best


def compare(plan: Plan, previous: Plan | None) -> list[dict]:
    """Side-by-side rows of everything that decides who pays what, in both plans: a tier,
    visit type, level, group or segment that one of them lacks shows as — on that side."""
    rows = []
    old = previous
    names = dict(SpecialCategory.choices)
    per = {"admission": "每次住院", "year": "每年"}

    def both(label, new, was, read=lambda x: x):
        """A row of `read` applied to each side's part (None where a side lacks it)."""
        new_value = read(new) if new is not None else None
        old_value = read(was) if was is not None else None
        rows.append(
            {"item": label, "new": new_value, "old": old_value, "changed": new_value != old_value}
        )

    def parts(new: dict, was: dict | None):
        """(code, new part, old part) for every code either side has."""
        for code in sorted(set(new) | set(was or {})):
            yield code, new.get(code), (was or {}).get(code)

    def group_label(code: str) -> str:
        return f"{names[code]}（{code}）" if code in names else code

    def type_label(code: str) -> str:
        """A visit type by its name in either plan (住院), not its code."""
        for side in (plan, old):
            if side is not None and code in side.visit_types:
                return visit_type_name(side.visit_types[code])
        return STANDARD_VISIT_TYPE_NAMES.get(code, code)

    def level_label(level: str) -> str:
        return f"{level}级" if level.isdigit() else LEVEL_NAMES.get(level, level)

    both("年度封顶线", plan, old, lambda p: p.annual_cap)
    both("乙类先行自付比例", plan, old, lambda p: p.b_self_ratio)
    for code, g, was in parts(plan.groups, old.groups if old else None):
        both(f"{group_label(code)} 起付线系数", g, was, lambda g: g.deductible_factor)
        both(f"{group_label(code)} 报销比例加成", g, was, lambda g: g.ratio_bonus)
    for code, vt, was in parts(plan.visit_types, old.visit_types if old else None):
        name = type_label(code)
        both(f"{name} 起付线计算", vt, was, lambda v: per.get(v.deductible_per))
        for level, ratio, old_ratio in parts(vt.ratio if vt else {}, was.ratio if was else None):
            deductible = vt.deductible.get(level) if vt else None
            old_deductible = was.deductible.get(level) if was else None
            both(f"{name} {level_label(level)} 起付线", deductible, old_deductible)
            both(f"{name} {level_label(level)} 报销比例", ratio, old_ratio)
        both(f"{name} 年度限额", vt, was, lambda v: v.annual_limit)
        both(f"{name} 限定诊断", vt, was, lambda v: "、".join(v.diagnoses) or "不限")
    ci, old_ci = plan.critical_illness, old.critical_illness if old else None
    if ci or old_ci:
        both("大病保险", plan, old, lambda p: "有" if p.critical_illness else "无")
        both(
            "大病保险计入的就诊类型",
            ci,
            old_ci,
            lambda c: "、".join(type_label(code) for code in sorted(c.visit_types)),
        )
        both("大病保险起付线", ci, old_ci, lambda c: c.deductible)
        segments = dict(enumerate(ci.segments)) if ci else {}
        old_segments = dict(enumerate(old_ci.segments)) if old_ci else None
        for i, seg, was in parts(segments, old_segments):
            both(f"大病保险第{i + 1}段上限", seg, was, lambda s: s.upto or "不设上限")
            both(f"大病保险第{i + 1}段比例", seg, was, lambda s: s.ratio)
        both("大病保险封顶线", ci, old_ci, lambda c: c.cap)
        for code, g, was in parts(ci.groups if ci else {}, old_ci.groups if old_ci else None):
            label = f"大病保险 {group_label(code)}"
            both(f"{label} 起付线", g, was, lambda g: g.deductible)
            both(f"{label} 比例加成", g, was, lambda g: g.ratio_bonus)
            both(f"{label} 封顶线", g, was, lambda g: g.cap if g.cap_set else "同方案")
    for code, a, was in parts(plan.assistance, old.assistance if old else None):
        both(f"医疗救助 {group_label(code)} 救助比例", a, was, lambda a: a.ratio)
        both(f"医疗救助 {group_label(code)} 年度封顶", a, was, lambda a: a.annual_cap)
    c, old_c = plan.contribution, old.contribution if old else None
    if c or old_c:
        both("个人缴费", c, old_c, lambda c: c.individual)
        both("财政补助", c, old_c, lambda c: c.subsidy)
        paid = c.individual_paid_by_assistance if c else {}
        old_paid = old_c.individual_paid_by_assistance if old_c else None
        for code, share, was in parts(paid, old_paid):
            both(f"{group_label(code)} 个人缴费由救助代缴比例", share, was)
    return rows
