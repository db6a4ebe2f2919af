from django.core.management.base import BaseCommand

from huimin.registry.models import Region
from huimin.registry.regions import load_national


class Command(BaseCommand):
    help = "载入或刷新全国省、地、县三级行政区划代码（来自python-stdnum，含历史代码）"

    def handle(self, *args, **options):
        n = load_national(Region)
        self.stdout.write(f"已载入 {n} 个省、地、县级区划代码")
