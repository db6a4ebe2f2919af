from django.core.management.base import BaseCommand

from huimin.records.archive import close_deceased_records


class Command(BaseCommand):
    help = "为居民登记中已登记死亡的居民结案健康档案（可重复运行），每晚运行"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="区划代码前缀（默认全部）")

    def handle(self, *args, region, **options):
        closed = close_deceased_records(region)
        self.stdout.write(f"已为 {closed} 份死亡居民的档案结案")
