"""huimin import-catalog FILE [--effective YYYY-MM-DD] [--dry-run]"""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huimin.insurance.catalog import rules, services
from huimin.insurance.catalog.sheet import SheetError, read_sheet_file


def _date(text: str) -> datetime.date:
    try:
        day = rules.parse_date(text)
    except ValueError:
        day = None
    if day is None:
        raise CommandError(f"--effective “{text}”不是有效日期（应为YYYY-MM-DD）")
    return day


class Command(BaseCommand):
    help = (
        "从xlsx或CSV（UTF-8或GB18030）导入医保目录（列名见 huimin/insurance/catalog/sheet.py）。"
        "任何一行有误则全部不导入，并列出每一行的原因；有变化的项目新增版本，未变化的跳过。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--effective",
            type=_date,
            default=None,
            help="生效日期列为空的行从此日期生效（默认今天）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只校验，不写入")

    def handle(self, *args, file: Path, effective, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            header, body = read_sheet_file(file)
        except SheetError as exc:
            raise CommandError(str(exc)) from None
        checked = rules.check_sheet(header, body)
        try:
            if not checked.rows:
                raise services.ImportRejected(checked.problems)
            summary = services.do_import_catalog(
                None,
                checked.rows,
                default_effective=effective,
                source=file.name,
                dry_run=dry_run,
                sheet_problems=checked.problems,
            )
        except services.ImportRejected as exc:
            lines = [f"第{line}行：{reason}" for line, reason in exc.problems]
            raise CommandError(exc.message + "：\n" + "\n".join(lines)) from None
        self.stdout.write(summary.as_text())
