from django.core.management.base import BaseCommand

from huimin.records.activity import sync_visit_activity


class Command(BaseCommand):
    help = "把已结算就诊同步为健康档案的最近使用日期（动态使用），每晚运行"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="区划代码前缀（默认全部）")

    def handle(self, *args, region, **options):
        changed = sync_visit_activity(region)
        self.stdout.write(f"已更新 {changed} 份档案的最近使用日期")
