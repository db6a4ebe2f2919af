"""`huimin generate-claims --residents N --year Y [--county C] [--seed S]`."""

import time

from django.core.management.base import BaseCommand, CommandError

from huimin.registry import synthetic
from huimin.review.synthetic.generate import SynthError, generate


class Command(BaseCommand):
    help = (
        "为已生成的合成县写入一年的合成就诊、费用明细与结算（约每人3次结算、25条明细），"
        "按生效方案逐笔计算；并植入分解住院、挂床、超量开药、虚高收费机构与套刷终端等疑点，"
        "清单写入 var/review-planted/。仅用于审核与性能测试，不记基金账。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, required=True, help="参保人数（取前N人）")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--county", default=synthetic.DEFAULT_COUNTY)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--per-kind", type=int, default=None, help="每类植入疑点数")

    def handle(self, *args, residents, year, county, seed, per_kind, **opts):
        if residents < 1:
            raise CommandError("--residents 至少为1")
        started = time.monotonic()
        try:
            result = generate(county, year, residents=residents, seed=seed, per_kind=per_kind)
        except SynthError as exc:
            raise CommandError(str(exc)) from None
        planted = "、".join(
            f"{k} {len(v)}"
            for k, v in sorted({**result.planted.claims, **result.planted.subjects}.items())
        )
        self.stdout.write(
            f"{county} {year}年度：参保人 {result.residents}，就诊与结算 {result.settlements}，"
            f"费用明细 {result.lines}；植入：{planted}；清单 {result.manifest}；"
            f"用时 {time.monotonic() - started:.1f} 秒"
        )
