"""`manage.py settle`: the same as `huimin settle` (see huimin/insurance/settle_cli.py)."""

import json

from django.core.management.base import BaseCommand, CommandError

from huimin.insurance.settle_cli import InputError, settle_files


class Command(BaseCommand):
    help = "按结算方案对一次就诊结算（纯计算，不写数据库），以JSON输出结算结果"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, help="结算方案YAML")
        parser.add_argument("--claim", required=True, help="就诊费用JSON")
        parser.add_argument("--ytd", help="年度累计JSON（缺省为全零）")

    def handle(self, *args, plan, claim, ytd=None, **options):
        try:
            result = settle_files(plan, claim, ytd)
        except InputError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
