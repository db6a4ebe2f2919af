"""`huimin seed-enrollment --year 2026 [--rate 0.95]`: synthetic enrollment and payments."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from huimin.insurance.enrollment import seed as seeding
from huimin.insurance.ledger import services as ledger
from huimin.registry.models import Region, RegionLevel


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of 应为 YYYY-MM-DD 格式的日期：{text}") from None


class Command(BaseCommand):
    help = (
        "为合成县的在世居民登记参保并缴费（约 --rate 比例；少量未缴费、少量期外参保），"
        "按种子确定。没有参保登记期时按当年生效方案（或示例方案）新设一个。"
        "基金账按村汇总记账（每村一张凭证）。已参保的人不重复登记，可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="参保年度，如 2026")
        parser.add_argument("--rate", type=float, default=0.95, help="参保比例，默认0.95")
        parser.add_argument("--county", default=seeding.DEFAULT_COUNTY, help="6位县级区划代码")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子")
        parser.add_argument("--as-of", type=_date, default=None, help="数据的“今天”，默认今天")

    def handle(self, *args, year, rate, county, seed: int, as_of, **options):
        if not (2000 <= year <= 2100):
            raise CommandError("--year 应在2000至2100之间")
        if not Region.objects.filter(code=county, level=RegionLevel.COUNTY).exists():
            raise CommandError(f"{county} 不是已载入的县级区划代码")
        started = time.monotonic()
        try:
            result = seeding.seed_enrollment(year, rate=rate, county=county, seed=seed, as_of=as_of)
        except seeding.SeedError as exc:
            raise CommandError(str(exc)) from None
        balanced = ledger.trial_balance(county, year)["balanced"]
        self.stdout.write(
            f"{county} {year}年度：在世在户居民 {result.candidates} 人，登记 {result.enrolled} 人，"
            f"已缴费 {result.paid} 人，未缴费 {result.unpaid} 人，期外参保 {result.late} 人；"
            f"记账凭证 {result.entries} 张，试算平衡：{'是' if balanced else '否'}；"
            f"用时 {time.monotonic() - started:.1f} 秒"
        )
