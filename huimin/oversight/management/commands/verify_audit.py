"""huimin verify-audit: prove the audit chain untouched, or name the first broken record.

Every row's HMAC is recomputed under the key it names (HUIMIN_AUDIT_KEY or one of
HUIMIN_AUDIT_KEY_PREVIOUS), and each chain is held against the signed checkpoints
outside the database (HUIMIN_AUDIT_CHECKPOINT_DIR), so rows removed from a chain's end
with its head moved back are found as well as changed rows.
"""

from django.core.management.base import BaseCommand

from huimin.audit import chain, conf, services
from huimin.audit.models import AuditArchive
from huimin.oversight import alerts


class Command(BaseCommand):
    help = "校验审计日志哈希链：完整时退出码为0，否则指出第一条被破坏的记录并退出码为1"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=services.BATCH)
        parser.add_argument(
            "--archives", action="store_true", help="同时校验归档文件的校验和与其中的链"
        )

    def handle(self, *args, batch_size, archives, **options):
        result = services.verify_chain(batch_size=max(100, batch_size))
        if result.ok and archives:
            for archive in AuditArchive.objects.order_by("chain", "last_seq"):
                problem = services.verify_archive_file(archive)
                if problem:
                    self.stderr.write(f"审计归档被破坏：{problem}")
                    alerts.raise_chain_alert(
                        chain.ChainProblem(
                            "archive_broken",
                            archive.first_seq,
                            None,
                            archive.first_at,
                            problem,
                            chain=archive.chain,
                        )
                    )
                    raise SystemExit(1)
        if result.ok:
            self.stdout.write(f"审计链完整：{result.count} 条")
            if result.archived:
                self.stdout.write(f"（另有 {result.archived} 条已归档，链从归档末尾接续）")
            for number, (seq, digest) in sorted(result.tails.items()):
                if seq:
                    self.stdout.write(f"第 {number} 链最后一条：第 {seq} 条，哈希 {digest}")
            self._report_checkpoints(result.anchors)
            return
        problem = result.problem
        self.stderr.write(f"审计链被破坏：{problem.describe()}")
        self.stderr.write(f"此前 {result.count} 条校验无误。")
        raised = alerts.raise_chain_alert(problem)
        if raised:
            self.stderr.write(f"已产生安全告警 #{raised[0].pk}")
        raise SystemExit(1)

    def _report_checkpoints(self, anchors) -> None:
        if anchors is None or not anchors.lines:
            self.stdout.write(
                f"链外检查点：{conf.checkpoint_dir()} 中没有检查点（运行 huimin audit-checkpoint）"
            )
            return
        self.stdout.write(f"链外检查点：{anchors.lines} 行，均签名有效并与链一致")
        for line in anchors.restores:
            self.stdout.write(
                f"第 {line['chain']} 链于 {line['written']} 从备份恢复至第 {line['seq']} 条"
            )
