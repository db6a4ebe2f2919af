"""`huimin settle`: the pure engine from the command line (DESIGN.md §5).

Runs without Django settings or a database, so it works anywhere the package is
installed; the management command of the same name calls the same function.
"""

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path

from huimin.insurance import engine
from huimin.insurance.plan import Plan, PlanError, load_plan_yaml


class InputError(Exception):
    pass


# A claim's person_category: ordinary, or a special category of the registry (the codes
# of registry.models.SpecialCategory, which this Django-free command cannot import; a
# test keeps the two the same), or a group the plan itself names.
ORDINARY = "ordinary"
SPECIAL_CATEGORIES = ("tekun", "dibao", "poverty_monitoring", "disabled")

# The year-to-date document's fields (DESIGN.md §5, ytd_after): all are required; in the
# per-visit-type maps a visit type that is absent counts as zero.
YTD_AMOUNTS = ("basic_paid", "ci_base", "ci_paid", "assistance_paid")
YTD_BY_TYPE = ("basic_paid_by_type", "deductible_paid_by_type")

STRING_REASON = '应为字符串（如"12.50"），不接受JSON数值'


def _read(path: str, what: str) -> str:
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{what}: 不是文件（是目录） {path}")
    if not p.exists():
        raise InputError(f"{what}: 文件不存在 {path}")
    if not p.is_file():
        raise InputError(f"{what}: 不是普通文件 {path}")
    try:
        return p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{what}: 无法读取 {path}（{exc}）") from None


def _json(path: str, what: str):
    try:
        # Numbers become Decimal, never float.
        return json.loads(_read(path, what), parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what}: JSON格式错误（第{exc.lineno}行第{exc.colno}列）") from None


def _lines(prefix: str, problems: dict[str, str]) -> str:
    return "\n".join(f"{prefix}{field}: {reason}" for field, reason in problems.items())


def known_categories(plan: Plan) -> set[str]:
    named = set(plan.groups) | set(plan.assistance)
    if plan.critical_illness is not None:
        named |= set(plan.critical_illness.groups)
    if plan.contribution is not None:
        named |= set(plan.contribution.individual_paid_by_assistance)
    return {ORDINARY, *SPECIAL_CATEGORIES, *named}


def claim_problems(doc, plan: Plan) -> dict[str, str]:
    """What §5 does not define, beyond the engine's own checks: an unknown or missing
    person_category, and a JSON number where §5 has a string (levels, quantities,
    prices, ceilings, ratios: strings, so that no value passes through a float)."""
    if not isinstance(doc, dict):
        return {}
    problems: dict[str, str] = {}
    category = doc.get("person_category")
    known = known_categories(plan)
    if category is None:
        problems["person_category"] = f"缺少此项（可选：{'、'.join(sorted(known))}）"
    elif isinstance(category, str) and category not in known:
        problems["person_category"] = (
            f"人员类别{category!r}未定义（可选：{'、'.join(sorted(known))}）"
        )
    level = doc.get("institution_level")
    if level is not None and not isinstance(level, str):
        problems["institution_level"] = '应为字符串："1"、"2"、"3"或"out_of_area"'
    lines = doc.get("lines")
    for i, line in enumerate(lines if isinstance(lines, list) else []):
        if not isinstance(line, dict):
            continue
        for key in ("code", "name", "class", "quantity", "unit_price", "ceiling", "b_self_ratio"):
            value = line.get(key)
            if value is not None and not isinstance(value, str):
                problems[f"lines[{i}].{key}"] = STRING_REASON
    return problems


def ytd_problems(doc, plan: Plan) -> dict[str, str]:
    """Every top-level field present, amounts as strings, maps keyed by the plan's
    visit types (an absent visit type counts as zero)."""
    if not isinstance(doc, dict):
        return {}
    problems: dict[str, str] = {}
    for key in YTD_AMOUNTS:
        if key not in doc:
            problems[f"ytd.{key}"] = '缺少此项（无累计时写"0.00"）'
        elif not isinstance(doc[key], str):
            problems[f"ytd.{key}"] = STRING_REASON
    for key in YTD_BY_TYPE:
        if key not in doc:
            problems[f"ytd.{key}"] = "缺少此项（无累计时写{}）"
            continue
        if not isinstance(doc[key], dict):
            continue  # the engine says so
        for vt, value in doc[key].items():
            if vt not in plan.visit_types:
                problems[f"ytd.{key}.{vt}"] = (
                    f"就诊类型不在方案中（可选：{'、'.join(plan.visit_types)}）"
                )
            elif not isinstance(value, str):
                problems[f"ytd.{key}.{vt}"] = STRING_REASON
    return problems


def settle_files(plan: str, claim: str, ytd: str | None = None) -> dict:
    """The settlement as the contract's JSON dict; InputError names every bad field."""
    try:
        the_plan = load_plan_yaml(_read(plan, "--plan"))
    except PlanError as exc:
        raise InputError("方案有误：\n" + _lines("plan.", exc.problems)) from None
    claim_doc = _json(claim, "--claim")
    ytd_doc = _json(ytd, "--ytd") if ytd else None
    problems: dict[str, str] = {}
    try:
        the_claim = engine.parse_claim(claim_doc, the_plan)
    except engine.ClaimError as exc:
        problems.update(exc.problems)
    try:
        the_ytd = engine.parse_ytd(ytd_doc)
    except engine.ClaimError as exc:
        problems.update(exc.problems)
    # The engine reads leniently (a number for a string, a default for what is missing);
    # the command holds its files to §5 exactly. The engine's reason comes first.
    strict = claim_problems(claim_doc, the_plan)
    if ytd_doc is not None:
        strict |= ytd_problems(ytd_doc, the_plan)
    for field, reason in strict.items():
        problems.setdefault(field, reason)
    if problems:
        raise InputError("输入有误：\n" + _lines("", problems))
    return engine.adjudicate(the_plan, the_claim, the_ytd).as_json()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="huimin settle", description="按结算方案对一次就诊结算，以JSON输出结果"
    )
    parser.add_argument("--plan", required=True, help="结算方案YAML")
    parser.add_argument("--claim", required=True, help="就诊费用JSON")
    parser.add_argument("--ytd", help="年度累计JSON（缺省为全零）")
    args = parser.parse_args(argv)
    try:
        result = settle_files(args.plan, args.claim, args.ytd)
    except InputError as exc:
        sys.stderr.write(f"错误：{exc}\n")
        return 1
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0
