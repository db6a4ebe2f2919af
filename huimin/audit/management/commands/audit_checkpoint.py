"""huimin audit-checkpoint: record every audit chain's head outside the database now.

Appends checkpoint their chains as they go (every HUIMIN_AUDIT_CHECKPOINT_EVERY events
or HUIMIN_AUDIT_CHECKPOINT_MINUTES); run this from cron as well, so the last events
before a quiet night are anchored too.
"""

from django.core.management.base import BaseCommand, CommandError

from huimin.audit import conf, services


class Command(BaseCommand):
    help = "将各审计链的链头写入数据库之外的检查点文件（签名，只追加）"

    def handle(self, *args, **options):
        try:
            heads = services.checkpoint_now()
        except OSError as exc:
            raise CommandError(f"检查点写入失败（{conf.checkpoint_dir()}）：{exc}") from None
        written = {n: h for n, h in heads.items() if h[0]}
        for number, (seq, digest) in sorted(written.items()):
            self.stdout.write(f"第 {number} 链：第 {seq} 条，哈希 {digest}")
        self.stdout.write(f"已写入 {len(written)} 条链的检查点至 {conf.checkpoint_dir()}")
