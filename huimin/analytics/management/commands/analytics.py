"""`huimin analytics review --parquet DIR --region CODE --from DATE --to DATE`: the
batch review's rules over a Parquet export in DuckDB (docs/analytics.md)."""

import datetime
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huimin.analytics import duck
from huimin.review.batch import runner


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期应为 YYYY-MM-DD 格式：{text}") from None


class Command(BaseCommand):
    help = "分析：review 在 DuckDB 中对 Parquet 导出运行批量审核规则（与数据库中同一套SQL）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        review = sub.add_parser("review", help="在 DuckDB 中运行批量审核规则")
        review.add_argument("--parquet", required=True, type=Path, help="导出目录")
        review.add_argument("--region", required=True)
        review.add_argument("--from", dest="date_from", required=True)
        review.add_argument("--to", dest="date_to", required=True)
        review.add_argument("--rules", default="", help="只运行这些规则，逗号分隔")
        review.add_argument("--out", type=Path, default=None, help="疑点写成此 Parquet 文件")
        review.add_argument("--threads", type=int, default=None, help="DuckDB 线程数")

    def handle(self, *args, action, **opts):
        getattr(self, f"do_{action}")(**opts)

    def do_review(self, *, parquet, region, date_from, date_to, rules, out, threads, **_):
        if not (region.isascii() and region.isdigit() and len(region) in (2, 4, 6, 9, 12)):
            raise CommandError(f"--region 应为区划代码（2、4、6、9或12位数字）：{region}")
        first, last = _date(date_from), _date(date_to)
        if last < first:
            raise CommandError("--to 不能早于 --from")
        if not (parquet / "manifest.json").is_file():
            raise CommandError(f"{parquet} 不是分析导出目录（没有 manifest.json）")
        chosen = [r.strip() for r in rules.split(",") if r.strip()]
        unknown = [r for r in chosen if r not in runner.BATCH_RULES]
        if unknown:
            raise CommandError(f"批量审核不支持的规则：{'、'.join(unknown)}")
        con = duck.connect(parquet, region, threads=threads)
        run = duck.review(parquet, region, first, last, rules=chosen, con=con)
        counts = Counter(h.rule for h in run.hits)
        for code, seconds in run.seconds.items():
            self.stdout.write(f"{code:<24} 疑点 {counts[code]:>7}  {seconds:7.2f} 秒")
        if out is not None:
            duck.write_hits(run.hits, out)
            self.stdout.write(f"疑点文件：{out}")
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：规则集 {run.rule_set_name}，疑点 {len(run.hits)} 条，"
                f"{sum(run.seconds.values()):.1f} 秒"
            )
        )
