"""`huimin mediation-overdue [--on DATE]`: raise a business notice for every open case
whose current step is past its deadline, once per case step (run it nightly)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from huimin.mediation import services


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--on 应为 YYYY-MM-DD 格式的日期：{text}") from None


class Command(BaseCommand):
    help = "检查医疗纠纷调解案件各步骤是否逾期，每个案件的每个逾期步骤提醒一次（建议每晚运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--on", type=_date, default=None, help="按哪天检查（默认今天）")

    def handle(self, *args, on, **options):
        on = on or services.today()
        raised = services.raise_overdue_notices(on)
        overdue = services.overdue_cases(on).count()
        self.stdout.write(f"{on:%Y-%m-%d}：逾期案件 {overdue} 件，新提醒 {raised} 条")
