"""`huimin seed-settlements --year 2026 [--per-day N] [--seed S] [--until DATE]`."""

import datetime
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from huimin.insurance.ledger import services as ledger
from huimin.insurance.seed import plan as seeding
from huimin.insurance.seed.settlements import seed_settlements
from huimin.registry import synthetic

TYPE_NAMES = {
    "outpatient_general": "普通门诊",
    "outpatient_chronic": "两病门诊",
    "inpatient": "住院",
}


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--until 应为 YYYY-MM-DD 格式的日期：{text}") from None


class Command(BaseCommand):
    help = (
        "为合成县生成一年的演示结算：从1月1日到今天（或 --until），每天约 --per-day 笔，"
        "全部经由真实的挂号/入院、费用上传、出院、结算与冲正服务，写入结算、基金账、"
        "累计与审计记录；按种子确定。先运行 huimin seed-plan、seed-catalog 与 seed-enrollment。"
        "该县当年已有非演示结算时跳过；只有演示结算时从最后生成的那天之后接着生成。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="结算年度，如 2026")
        parser.add_argument(
            "--per-day",
            type=int,
            default=seeding.DEFAULT_PER_DAY,
            help=f"每天大约的结算笔数，默认{seeding.DEFAULT_PER_DAY}",
        )
        parser.add_argument("--seed", type=int, default=2026, help="随机种子")
        parser.add_argument("--county", default=synthetic.DEFAULT_COUNTY, help="6位县级区划代码")
        parser.add_argument("--until", type=_date, default=None, help="生成到哪天（默认今天）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, year, per_day, seed, county, until, no_progress, **options):
        if not (2000 <= year <= 2100):
            raise CommandError("--year 应在2000至2100之间")
        if not (1 <= per_day <= 10_000):
            raise CommandError("--per-day 应在1至10000之间")
        started = time.monotonic()
        bar = tqdm(total=0, desc="结算", unit="笔", disable=no_progress, file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            result = seed_settlements(
                year, county=county, per_day=per_day, seed=seed, until=until, progress=progress
            )
        except seeding.SeedError as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        if result.skipped:
            self.stdout.write(result.skipped)
            return
        balanced = ledger.trial_balance(county, year)["balanced"]
        types = "、".join(f"{TYPE_NAMES.get(k, k)} {v}" for k, v in sorted(result.by_type.items()))
        refused = "、".join(f"{k} {v}" for k, v in sorted(result.refused.items())) or "无"
        self.stdout.write(
            f"{county} {year}年度 {result.first_day}至{result.last_day}：结算 {result.settled} 笔"
            f"（{types}），其中冲正后重新结算 {result.reversals} 笔；未结算的就诊：{refused}；"
            f"试算平衡：{'是' if balanced else '否'}；用时 {time.monotonic() - started:.1f} 秒"
        )
