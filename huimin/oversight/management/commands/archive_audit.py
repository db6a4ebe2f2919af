"""huimin archive-audit --before YYYY-MM-DD: move old audit events to an archive file.

Refuses dates inside the retention period (HUIMIN_AUDIT_RETENTION_DAYS, at least 180
days). Each chain's rows are written to var/audit-archive/ as gzip JSON lines with a
SHA-256 file, recorded in AuditArchive, and only then deleted; verify-audit continues
each chain from its archive's last hash.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from huimin.audit import services
from huimin.core.errors import DomainError
from huimin.oversight import alerts


class Command(BaseCommand):
    help = "归档指定日期之前的审计记录（须超过保留期），写入归档文件后再从数据库删除"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="归档此日期（不含）之前的记录")

    def handle(self, *args, before, **options):
        try:
            day = datetime.date.fromisoformat(before)
        except ValueError:
            raise CommandError(f"--before 应为 YYYY-MM-DD 格式的日期，收到 {before!r}") from None
        try:
            archives = services.do_archive(day)
        except services.ChainBroken as exc:
            if exc.problem is not None:
                alerts.raise_chain_alert(exc.problem)
            raise CommandError(exc.message) from None
        except DomainError as exc:
            reasons = "；".join(exc.fields.values()) if exc.fields else exc.message
            raise CommandError(reasons) from None
        if not archives:
            self.stdout.write(f"{day.isoformat()} 之前没有需要归档的审计记录")
            return
        for archive in archives:
            self.stdout.write(
                f"已归档第 {archive.chain} 链 {archive.count} 条"
                f"（第 {archive.first_seq}–{archive.last_seq} 条）至 {archive.file}"
            )
            self.stdout.write(f"SHA-256 {archive.checksum}；末条哈希 {archive.last_hash}")
