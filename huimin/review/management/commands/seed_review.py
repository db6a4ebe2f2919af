"""`huimin seed-review --year Y`: the demo's review queue and dashboard, populated."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huimin.insurance.models import Settlement
from huimin.registry import synthetic
from huimin.review import scoring
from huimin.review.batch import runner
from huimin.review.synthetic.generate import PREFIX, SynthError, generate


class Command(BaseCommand):
    help = (
        "演示用：为合成县植入少量各类疑点（分解住院、挂床、超量开药、虚高收费机构、套刷终端，"
        "连同约200位参保人的合成结算，标记 SYN-），对全年运行批量审核并计算风险分。"
        "先运行 seed-settlements。已植入过则只重新审核。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--county", default=synthetic.DEFAULT_COUNTY)
        parser.add_argument("--residents", type=int, default=200)
        parser.add_argument("--per-kind", type=int, default=4)

    def handle(self, *args, year, county, residents, per_kind, **opts):
        today = timezone.localdate()
        last = min(today, datetime.date(year, 12, 31))
        if last < datetime.date(year, 1, 1):
            raise CommandError(f"{year}年度尚未开始")
        planted = Settlement.objects.within(county).filter(
            year=year, idempotency_key__startswith=PREFIX
        )
        if not planted.exists():
            try:
                result = generate(
                    county, year, residents=residents, per_kind=per_kind, until=last, seed=year
                )
            except SynthError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"植入合成结算 {result.settlements} 笔，清单 {result.manifest}")
        done = runner.run(county, datetime.date(year, 1, 1), last, started_by="seed-review")
        rule_set, _ = runner.rule_set_for(county, year)
        for month in scoring.months_between(datetime.date(year, 1, 1), last):
            scoring.score_month(county, month, rule_set)
        total = sum(c["found"] for c in done.counts.values())
        self.stdout.write(f"批量审核 {county} {year}年度：疑点 {total} 条；已计算月度风险分")
