"""`huimin seed-plan [--county 430522] [--year 2026]`: the demo plan, uploaded and activated."""

from django.core.management.base import BaseCommand, CommandError

from huimin.core.errors import DomainError
from huimin.insurance.seed import plan as seeding
from huimin.registry import synthetic


class Command(BaseCommand):
    help = (
        "为合成县上传并启用演示结算方案（示例方案，统筹区改为该县）：由演示经办账号 officer 上传，"
        f"另一位演示经办账号 {seeding.REVIEWER} 复核启用，四眼原则照常执行。"
        "该县当年已有生效方案时直接退出，可重复运行。"
        "先运行 huimin generate 与 huimin demo_accounts。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", default=synthetic.DEFAULT_COUNTY, help="6位县级区划代码")
        parser.add_argument("--year", type=int, default=2026, help="方案年度，默认2026")
        parser.add_argument(
            "--force", action="store_true", help="该县不是合成数据时也启用（生产环境切勿使用）"
        )

    def handle(self, *args, county, year, force, **options):
        if not (2000 <= year <= 2100):
            raise CommandError("--year 应在2000至2100之间")
        try:
            result = seeding.seed_plan(county, year, force=force)
        except seeding.SeedError as exc:
            raise CommandError(str(exc)) from None
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.fields or ''}".strip()) from None
        plan = result.plan
        if not result.created:
            self.stdout.write(f"{county} {year}年度已有生效方案：{plan.name}（#{plan.pk}），未改动")
            return
        self.stdout.write(
            f"已启用 {plan.name}（#{plan.pk}，统筹区 {plan.region_code}）："
            f"{seeding.UPLOADER} 上传，{seeding.REVIEWER} 复核启用"
        )
