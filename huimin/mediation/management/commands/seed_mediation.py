"""`huimin seed-mediation [--county CODE]`: demo dispute cases for `make demo`."""

from django.core.management.base import BaseCommand

from huimin.mediation.seed import seed_mediation
from huimin.registry import synthetic


class Command(BaseCommand):
    help = (
        "为合成县生成几件演示用的医疗纠纷调解案件，分处不同步骤（其中一件逾期）；"
        "先运行 huimin demo_accounts 与 seed-settlements。该县已有调解案件时跳过。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", default=synthetic.DEFAULT_COUNTY, help="6位县级区划代码")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子")

    def handle(self, *args, county, seed, **options):
        self.stdout.write(seed_mediation(county, seed=seed))
