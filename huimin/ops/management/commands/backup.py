"""`huimin backup [--output DIR]`: a consistent backup of the database with its manifest."""

import getpass
import socket
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from huimin.audit.services import record
from huimin.ops.backup import BackupError, create_backup, default_dir


class Command(BaseCommand):
    help = (
        "备份数据库：SQLite 用在线备份接口复制一致的快照并 gzip 压缩，PostgreSQL 用 "
        "pg_dump --format=custom。备份文件名含数据库类型与 UTC 时间，旁边写一份清单"
        "（*.manifest.json：版本、迁移状态、各表行数、审计链末条哈希、SHA-256）。"
        "上传的文档（HUIMIN_DOCUMENT_ROOT）归档为旁边的 *.documents.tar，逐份按校验值核对。"
        "应用运行时也可以备份。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, default=None, help=f"备份目录（默认 {default_dir()}）"
        )

    def handle(self, *args, output, **options):
        try:
            backup = create_backup(output)
        except BackupError as exc:
            raise CommandError(f"备份失败：{exc}") from None
        m = backup.manifest
        with transaction.atomic():
            record(
                action="backup",
                object_type="ops.backup",
                object_id=backup.path.name,
                purpose=f"sha256={m['sha256']}",
                terminal=f"cli:{getpass.getuser()}@{socket.gethostname()}",
            )
        rows = sum(m["row_counts"].values())
        self.stdout.write(f"备份文件：{backup.path}")
        self.stdout.write(f"清单文件：{backup.manifest_path}")
        self.stdout.write(f"SHA-256：{m['sha256']}")
        docs = m["documents"]
        self.stdout.write(
            f"文档归档：{backup.path.parent / docs['file']}（{docs['count']} 份，"
            f"{docs['bytes']:,} 字节，SHA-256 {docs['sha256']}）"
        )
        lost = len(docs["missing"]) + len(docs["damaged"])
        if lost:
            self.stdout.write(
                self.style.WARNING(
                    f"有 {lost} 份文档在文档目录中缺失或与校验值不符，未能归档"
                    "（清单 documents.missing / documents.damaged 列出其 SHA-256）"
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{m['vendor']}，{len(m['row_counts'])} 张表共 {rows} 行，"
                f"{m['size']:,} 字节"
            )
        )
