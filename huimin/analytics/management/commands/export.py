"""`huimin export parquet --out DIR [--region CODE] [--year Y]`: the pseudonymised
analytics export (docs/analytics.md). An operator's command on the server: it reads
every table of the region and writes files, so it is not offered to web users."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huimin.analytics import export, pseudonym


class Command(BaseCommand):
    help = (
        "导出：parquet 把人员（化名）、参保、就诊、结算、费用明细、机构、目录、随访表单和"
        "审核疑点写成按县和月份分区的 Parquet 文件，供 DuckDB 或 Spark 分析。"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="format", required=True)
        pq = sub.add_parser("parquet", help="化名 Parquet 导出")
        pq.add_argument("--out", required=True, type=Path, help="输出目录")
        pq.add_argument("--region", default="", help="省、市或县的区划代码（默认全部）")
        pq.add_argument("--year", type=int, default=None, help="只导出这一年的数据")
        pq.add_argument("--no-progress", action="store_true")

    def handle(self, *args, format, out, region, year, no_progress, **opts):
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError(f"--year 应为四位年份：{year}")
        started = time.monotonic()
        try:
            scope = export.Scope(region=region, year=year)
            result = export.export(out, scope, progress=not no_progress)
        except (export.ExportError, pseudonym.NoExportKey) as exc:
            raise CommandError(str(exc)) from None
        for name, n in result.rows.items():
            self.stdout.write(f"{name:<16} {n:>10} 行")
        self.stdout.write(
            self.style.SUCCESS(
                f"导出完成：{result.out}，{result.files} 个文件，"
                f"密钥 {result.key_id}，{time.monotonic() - started:.1f} 秒"
            )
        )
