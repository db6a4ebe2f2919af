"""huimin seed-catalog: the demo's synthetic catalog (idempotent)."""

from django.core.management.base import BaseCommand

from huimin.insurance.catalog.seed import seed_demo_catalog


class Command(BaseCommand):
    help = "载入演示用的合成医保目录（约200个药品、医疗服务项目和医用耗材）；已有的项目不变。"

    def handle(self, *args, **options):
        items, versions = seed_demo_catalog()
        self.stdout.write(f"演示目录：新增项目{items}个，版本{versions}个")
