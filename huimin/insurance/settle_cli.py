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
from huimin.insurance.plan import PlanError, load_plan_yaml


class InputError(Exception):
    pass


def _read(path: str, what: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what}: 文件不存在 {path}")
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


def settle_files(plan: str, claim: str, ytd: str | None = None) -> dict:
    """The settlement as the contract's JSON dict; InputError names every bad field."""
    try:
        the_plan = load_plan_yaml(_read(plan, "--plan"))
    except PlanError as exc:
        raise InputError("方案有误：\n" + _lines("plan.", exc.problems)) from None
    claim_doc = _json(claim, "--claim")
    ytd_doc = _json(ytd, "--ytd") if ytd else None
    try:
        the_claim = engine.parse_claim(claim_doc, the_plan)
        the_ytd = engine.parse_ytd(ytd_doc)
    except engine.ClaimError as exc:
        raise InputError("输入有误：\n" + _lines("", exc.problems)) from None
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
