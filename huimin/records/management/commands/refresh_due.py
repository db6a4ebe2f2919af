"""Recompute due services for every record (or a region prefix), in batches.

Run nightly: quarters roll over, children age into their next check, and items come
within the schedule's horizon without any form being signed. Also run after bulk
generation or an import, which write forms without the per-record refresh.
"""

import time

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from huimin.policy.scope import prefix_condition
from huimin.records import due
from huimin.records.models import HealthRecord


class Command(BaseCommand):
    help = "重算健康档案的应服务项目（每晚运行；批量生成数据后运行）"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="区划代码前缀（默认全部）")
        parser.add_argument("--batch", type=int, default=1000, help="每批档案数")

    def handle(self, *args, region, batch, **options):
        today = timezone.localdate()
        rows = HealthRecord.objects.all()
        if region:
            rows = rows.filter(prefix_condition("region_code", region))
        last_id, records, changed = 0, 0, 0
        started = time.monotonic()
        while True:
            # Keyset batches: each is one short transaction, so the nightly run never
            # holds locks on a whole county.
            chunk = list(
                rows.filter(Q(pk__gt=last_id)).select_related("person").order_by("pk")[:batch]
            )
            if not chunk:
                break
            changed += due.refresh_many(chunk, today)
            records += len(chunk)
            last_id = chunk[-1].pk
        seconds = time.monotonic() - started
        self.stdout.write(
            f"已重算 {records} 份档案的应服务项目，变更 {changed} 行，用时 {seconds:.1f} 秒"
        )
