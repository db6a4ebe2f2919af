from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from huimin.registry import rules
from huimin.registry.models import Region
from huimin.registry.regions import check_division_rows, read_division_sheet


class Command(BaseCommand):
    help = (
        "从统计用区划代码表（CSV或xlsx，列：代码,名称）导入乡级与村级区划。"
        "任何一行有误则全部不导入，并列出每一行的原因。"
    )

    def add_arguments(self, parser):
        parser.add_argument("sheet", type=Path)

    def handle(self, *args, sheet: Path, **options):
        if not sheet.is_file():
            raise CommandError(f"文件不存在：{sheet}")
        try:
            rows = read_division_sheet(sheet)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        known = set(Region.objects.values_list("code", flat=True))
        problems = check_division_rows(rows, known)
        if problems:
            raise CommandError("导入失败，未写入任何数据：\n" + "\n".join(problems))
        rows.sort(key=lambda r: len(r["code"]))  # townships before villages
        with transaction.atomic():
            for r in rows:
                Region.objects.update_or_create(
                    code=r["code"],
                    defaults={
                        "name": r["name"],
                        "level": rules.region_level(r["code"]),
                        "parent_id": rules.region_parent_code(r["code"]),
                        "prefix": rules.region_prefix(r["code"]),
                        "source": "official",
                    },
                )
        self.stdout.write(f"已导入 {len(rows)} 个乡级、村级区划")
