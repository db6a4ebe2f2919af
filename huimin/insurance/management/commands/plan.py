"""`huimin plan simulate --plan NEW.yaml --year 2026 [--region 430522] [--json]`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huimin.core.names import mask_name
from huimin.insurance import plans
from huimin.insurance.plan import PlanError, load_plan_yaml
from huimin.insurance.simulate import TIERS, simulate
from huimin.registry.models import Person, SpecialCategory

TIER_NAMES = {
    "basic_fund": "基本医保",
    "critical_illness": "大病保险",
    "assistance": "医疗救助",
    "patient_pay": "个人支付",
}


def _row(label, totals) -> dict:
    return {
        "group": label,
        "settlements": totals.count,
        **{f"{t}_actual": str(totals.actual[t]) for t in TIERS},
        **{f"{t}_simulated": str(totals.simulated[t]) for t in TIERS},
        **{f"{t}_change": str(totals.simulated[t] - totals.actual[t]) for t in TIERS},
    }


class Command(BaseCommand):
    help = "结算方案测算：用候选方案重算一年的实际结算，不写入任何数据"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sim = sub.add_parser("simulate", help="用候选方案重算一年的结算")
        sim.add_argument("--plan", required=True, help="候选方案YAML")
        sim.add_argument("--year", type=int, required=True)
        sim.add_argument("--region", default="", help="区划前缀（缺省为方案的统筹区）")
        sim.add_argument("--top", type=int, default=20, help="列出个人支付变化最大的人数")
        sim.add_argument("--json", action="store_true", help="以JSON输出")

    def handle(self, *args, action, plan, year, region, top, json: bool = False, **options):
        path = Path(plan)
        if not path.is_file():
            raise CommandError(f"--plan: 文件不存在 {plan}")
        try:
            candidate = load_plan_yaml(
                path.read_text(encoding="utf-8"),
                strict=True,
                categories=frozenset(SpecialCategory.values),
            )
        except PlanError as exc:
            raise CommandError(f"方案有误：{exc}") from None
        region = region or candidate.region
        report = simulate(candidate, year, region)
        in_force = plans.active_plan_for(region, year)
        out = {
            "plan": candidate.name,
            "compared_with": in_force.name if in_force else None,
            "year": year,
            "region": region,
            "settlements": report.settlements,
            "skipped": report.skipped,
            "unpaid_level": report.unpaid_level,
            "overall": _row("全部", report.overall),
            "by_level": [_row(k, v) for k, v in sorted(report.by_level.items())],
            "by_visit_type": [_row(k, v) for k, v in sorted(report.by_visit_type.items())],
            "movers": _movers(report.movers(top)),
        }
        if json:
            self.stdout.write(_dumps(out))
            return
        self._print(out)

    def _print(self, out: dict) -> None:
        w = self.stdout.write
        w(f"方案测算：{out['plan']}（对比：{out['compared_with'] or '无生效方案'}）")
        w(
            f"{out['year']}年 区划{out['region']}：重算 {out['settlements']} 笔，"
            f"跳过 {out['skipped']} 笔（候选方案无此就诊类型）"
        )
        if out["unpaid_level"]:
            w(f"其中 {out['unpaid_level']} 笔的机构等级在候选方案中不予统筹支付")
        for title, rows in (
            ("合计", [out["overall"]]),
            ("按机构等级", out["by_level"]),
            ("按就诊类型", out["by_visit_type"]),
        ):
            w(f"\n{title}")
            for r in rows:
                parts = [
                    f"{TIER_NAMES[t]} {r[f'{t}_actual']} → {r[f'{t}_simulated']}"
                    f"（{r[f'{t}_change']}）"
                    for t in TIERS
                ]
                w(f"  {r['group']}（{r['settlements']}笔）：" + "；".join(parts))
        w("\n个人支付变化最大的参保人（正数为多付）")
        for m in out["movers"]:
            w(
                f"  {m['name']}（{m['id_number']}，居民#{m['person_id']}）："
                f"{m['patient_pay_change']}"
            )


def _movers(movers: list) -> list[dict]:
    """Each mover with a masked name and ID number, enough for the office to look up."""
    people = Person.objects.in_bulk([pid for pid, _ in movers])
    out = []
    for pid, delta in movers:
        p = people.get(pid)
        out.append(
            {
                "person_id": pid,
                "name": mask_name(p.name) if p else "",
                "id_number": p.id_number_masked if p else "",
                "patient_pay_change": str(delta),
            }
        )
    return out


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)
