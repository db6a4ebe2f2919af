"""`huimin indicators rebuild [--region CODE] [--period P] [--indicator CODE]`: recompute
the indicator aggregates from the domain tables (set-based, idempotent). Run nightly
(docs/indicators.md) and after a bulk load; `make demo` runs it after the quality run."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huimin.registry.models import Region
from huimin.reports import aggregates, incremental, indicators
from huimin.reports.models import RebuildRun
from huimin.reports.periods import Period


def default_periods(today: datetime.date) -> list[Period]:
    """This year so far: each month (the dashboards' trends) and the year. Quarters and
    past years on demand (--period 2026Q3, --period 2025)."""
    months = [Period.month(today.year, m) for m in range(1, today.month + 1)]
    return [*months, Period.year(today.year)]


class Command(BaseCommand):
    help = "指标汇总：rebuild 按区划与期间从业务数据重算指标汇总表（可重复执行）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="重算指标汇总")
        rebuild.add_argument("--region", default="", help="县、乡镇或村的区划代码；默认每个县")
        rebuild.add_argument(
            "--period",
            action="append",
            default=[],
            help="YYYY-MM、YYYYQn 或 YYYY，可重复；默认本年各月与全年",
        )
        rebuild.add_argument("--indicator", action="append", default=[], help="只重算这些指标")
        refresh = sub.add_parser("refresh", help="增量：只重算上次运行以来的变化所及的期间")
        refresh.add_argument("--region", default="", help="县级区划代码；默认每个县")

    def handle(self, *args, action, **opts):
        getattr(self, f"do_{action}")(**opts)

    def do_rebuild(self, *, region, period, indicator, **_):
        if region:
            if not (region.isascii() and region.isdigit() and len(region) in (6, 9, 12)):
                raise CommandError(
                    f"--region 应为县（6位）、乡镇（9位）或村（12位）区划代码：{region}"
                )
            if not Region.objects.filter(code=region).exists():
                raise CommandError(f"没有这个区划：{region}")
            regions = [region]
        else:
            regions = _counties()
        try:
            periods = [Period.parse(p) for p in period] or default_periods(timezone.localdate())
        except ValueError as e:
            raise CommandError(f"--period：{e}") from None
        for code in indicator:
            try:
                indicators.get(code)
            except KeyError as e:
                raise CommandError(str(e.args[0])) from None
        for code in regions:
            started = time.monotonic()
            run = RebuildRun.objects.create(
                region_code=code,
                period_label=",".join(p.key for p in periods)[:20],
                started_at=timezone.now(),
            )
            rows = aggregates.rebuild(code, periods, only=indicator or None)
            run.rows, run.finished_at = rows, timezone.now()
            run.save(update_fields=["rows", "finished_at"])
            took = time.monotonic() - started
            self.stdout.write(
                f"{code} 指标汇总：{len(periods)} 个期间，写入 {rows} 行，用时 {took:.1f} 秒"
            )

    def do_refresh(self, *, region, **_):
        if region and not (region.isascii() and region.isdigit() and len(region) == 6):
            raise CommandError(f"--region 应为县级（6位）区划代码：{region}")
        regions = [region] if region else _counties()
        for code in regions:
            last = (
                RebuildRun.objects.filter(region_code=code, finished_at__isnull=False)
                .order_by("-started_at")
                .first()
            )
            if last is None:
                raise CommandError(f"{code} 还没有完整重算过：先运行 huimin indicators rebuild")
            started = timezone.now()
            run = RebuildRun.objects.create(
                region_code=code, period_label="refresh", started_at=started
            )
            # Changes are looked for from the start of the last run: one made while it
            # ran may not be in its figures.
            periods, rows = incremental.refresh(code, last.started_at)
            run.rows, run.finished_at = rows, timezone.now()
            run.save(update_fields=["rows", "finished_at"])
            self.stdout.write(f"{code} 增量重算：{len(periods)} 个期间，写入 {rows} 行")


def _counties() -> list[str]:
    return list(
        Region.objects.filter(level="county", children__isnull=False)
        .distinct()
        .order_by("code")
        .values_list("code", flat=True)
    )
