"""`huimin restore FILE [--yes]`: restore a backup into the configured, empty database."""

import getpass
import socket
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from huimin.audit.services import record
from huimin.ops.backup import BackupError, document_root, load_and_verify, restore


class Command(BaseCommand):
    help = (
        "把备份恢复到当前配置的数据库。先按清单校验文件（SHA-256、大小），"
        "目标数据库必须是新建的空库（任何数据都不会被覆盖）；恢复后逐表核对行数，"
        "不一致时以非零状态退出。FILE 可以是备份文件或其清单。"
        "备份含文档归档时，先核对归档的 SHA-256，再把每份文档按其校验值核对后放回 "
        "HUIMIN_DOCUMENT_ROOT。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="备份文件（.sqlite3.gz / .dump）或清单")
        parser.add_argument("--yes", action="store_true", help="不再询问确认")

    def handle(self, *args, file, yes, **options):
        try:
            _path, manifest = load_and_verify(file)
        except BackupError as exc:
            raise CommandError(f"拒绝恢复：{exc}") from None
        self.stdout.write(
            f"校验通过：{manifest['file']}（{manifest['vendor']}，"
            f"{manifest.get('created_at', '?')}，版本 {manifest.get('app_version', '?')}）"
        )
        target = connection.settings_dict["NAME"]
        if not yes:
            answer = input(f"将恢复到数据库 {target}，继续吗？输入 yes 确认：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未做任何改动")
        try:
            result = restore(file)
        except BackupError as exc:
            raise CommandError(f"拒绝恢复：{exc}") from None
        expected = manifest["row_counts"]
        self.stdout.write(f"已恢复到 {target}；逐表核对行数（{len(expected)} 张表）：")
        for table in sorted(set(expected) | set(result.counts)):
            want, got = expected.get(table), result.counts.get(table)
            mark = "一致" if want == got else "不一致"
            if want != got or options["verbosity"] > 1:
                self.stdout.write(f"  {table}: 清单 {want}，恢复后 {got}（{mark}）")
        if manifest.get("documents"):
            self.stdout.write(
                f"已恢复文档 {result.documents} 份到 {document_root()}（逐份按校验值核对）"
            )
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
        if not result.ok:
            raise CommandError(f"行数不一致的表 {len(result.mismatches)} 张：恢复结果不可信")
        with transaction.atomic():
            record(
                action="restore",
                object_type="ops.backup",
                object_id=manifest["file"],
                purpose=f"sha256={manifest['sha256']}",
                terminal=f"cli:{getpass.getuser()}@{socket.gethostname()}",
            )
        self.stdout.write(self.style.SUCCESS("恢复完成：全部表的行数与清单一致"))
