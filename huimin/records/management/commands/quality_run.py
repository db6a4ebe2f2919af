from django.core.management.base import BaseCommand

from huimin.records import quality


class Command(BaseCommand):
    help = "档案质量检查：默认只查上次检查后有变动或从未检查的档案；--all 全部重查"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="重查全部在管档案")
        parser.add_argument("--region", default="", help="区划代码前缀（默认全部）")
        parser.add_argument("--batch", type=int, default=quality.BATCH, help="每批档案数")
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="并行进程数（仅 PostgreSQL；默认为可用CPU核数，SQLite 为 1）",
        )

    def handle(self, *args, region, batch, jobs, **options):
        def progress(total, n):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {total.records}/{n}")

        result = quality.run(
            region=region,
            everything=options["all"],
            batch=batch,
            jobs=jobs or quality.default_jobs(),
            progress=progress,
        )
        rate = f"{result.qualified / result.records:.1%}" if result.records else "—"
        self.stdout.write(
            f"检查档案 {result.records} 份，合格 {result.qualified} 份（{rate}）；"
            f"新发现 {result.created} 条，已纠正 {result.resolved} 条，"
            f"更新 {result.updated} 条，保持 {result.kept} 条；"
            f"用时 {result.seconds:.1f} 秒（其中分组统计 {result.stats_seconds:.1f} 秒）"
        )
