"""`huimin recompute-name-pinyin`: bring stored name pinyin and initials up to the rules.

Run once after an upgrade that changed how names are read (surnames read as surnames:
单 shan, 曾 zeng, 区 ou…). Only people whose name starts with such a surname are
visited, in primary-key ranges, each range in its own transaction with its rows locked,
so the servers keep running and an interrupted run is simply run again (rows already
right are left alone).
"""

import getpass
import socket
from functools import reduce
from operator import or_

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max, Min, Q

from huimin.audit.services import record
from huimin.core.names import COMPOUND_SURNAMES, SURNAMES
from huimin.registry import rules
from huimin.registry.models import Person


def _candidates() -> Q:
    return reduce(or_, (Q(name__startswith=s) for s in sorted({*SURNAMES, *COMPOUND_SURNAMES})))


def recompute_batch(start: int, stop: int) -> int:
    """Fix the rows with start <= pk < stop whose stored pinyin differs; returns how many."""
    with transaction.atomic():
        rows = list(
            Person._base_manager.select_for_update()
            .filter(_candidates(), pk__gte=start, pk__lt=stop)
            .only("pk", "name", "name_initials", "name_pinyin")
            .order_by("pk")
        )
        changed = []
        for p in rows:
            # The lengths registry.services stores.
            initials, full = rules.pinyin_initials(p.name)[:50], rules.pinyin_full(p.name)[:200]
            if (p.name_initials, p.name_pinyin) != (initials, full):
                p.name_initials, p.name_pinyin = initials, full
                changed.append(p)
        if changed:
            Person._base_manager.bulk_update(changed, ["name_initials", "name_pinyin"])
    return len(changed)


def recompute(batch: int) -> int:
    bounds = Person._base_manager.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return 0
    return sum(
        recompute_batch(start, start + batch)
        for start in range(bounds["lo"], bounds["hi"] + 1, batch)
    )


class Command(BaseCommand):
    help = (
        "按姓氏读音（单 shan、曾 zeng、区 ou 等）重新计算居民姓名的拼音和首字母。"
        "只处理以这些姓氏开头的居民，按主键区间分批，每批一个事务；中断后重新运行即可。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=5000, help="每批主键区间的大小（默认5000）"
        )

    def handle(self, *args, batch, **options):
        if batch < 1:
            raise CommandError("--batch 至少为1")
        fixed = recompute(batch)
        record(
            action="update",
            object_type="registry.person",
            fields=["name_initials", "name_pinyin"],
            changes={"rows_recomputed": [0, fixed]},
            purpose="recompute-name-pinyin",
            terminal=f"cli:{getpass.getuser()}@{socket.gethostname()}",
        )
        self.stdout.write(self.style.SUCCESS(f"完成：已更正 {fixed} 名居民的姓名拼音"))
