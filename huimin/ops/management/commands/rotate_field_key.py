"""`huimin rotate-field-key`: re-encrypt every encrypted column under HUIMIN_FIELD_KEY."""

import getpass
import socket
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from huimin.audit.services import record
from huimin.core import crypto
from huimin.ops.rotation import ENCRYPTED_MODELS, RotationError, pending, rotate


class Command(BaseCommand):
    help = (
        "用当前字段密钥（HUIMIN_FIELD_KEY）重新加密全部加密字段（身份证号、电话）并重算盲索引。"
        "旧密钥须放在 HUIMIN_FIELD_KEY_PREVIOUS 中。按主键区间分批，每批一个事务；"
        "中断后重新运行即从未完成处继续（已使用当前密钥的行跳过）。步骤见 docs/operations.md。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=2000, help="每批主键区间的大小（默认2000）"
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, batch, no_progress, **options):
        if batch < 1:
            raise CommandError("--batch 至少为1")
        kid = crypto.current_key_id()
        previous = [crypto.key_id(k) for k in crypto.previous_masters()]
        self.stdout.write(
            f"当前密钥标识 {kid}；旧密钥标识 {', '.join(previous) if previous else '（无）'}"
        )
        rotated = 0

        def audit(outcome: str, reason: str = "") -> None:
            record(
                action="config",
                object_type="core.field_key",
                object_id=kid,
                changes={"rows_reencrypted": [0, rotated]},
                purpose="rotate-field-key",
                outcome=outcome,
                reason=reason,
                terminal=f"cli:{getpass.getuser()}@{socket.gethostname()}",
            )

        for spec in ENCRYPTED_MODELS:
            todo = pending(spec)
            if not todo:
                self.stdout.write(f"{spec.name}：全部已使用当前密钥")
                continue
            bar = tqdm(total=todo, desc=spec.name, unit="行", disable=no_progress, file=sys.stderr)

            def progress(n: int, bar=bar) -> None:
                nonlocal rotated
                rotated += n
                bar.update(n)

            try:
                done = rotate(spec, batch, progress=progress)
            except RotationError as exc:
                audit("failed", "undecryptable")
                raise CommandError(f"{exc}。此前各批已提交，修正后重新运行即可继续。") from None
            finally:
                bar.close()
            self.stdout.write(f"{spec.name}：已重新加密 {done} 行")
        left = sum(pending(spec) for spec in ENCRYPTED_MODELS)
        if left:
            audit("failed", "rows_left")
            # Rows written under an old key while the command ran (a server not yet
            # restarted with the new key): run again.
            raise CommandError(f"仍有 {left} 行未使用当前密钥，请再次运行本命令")
        audit("success")
        done = f"完成：共重新加密 {rotated} 行，全部加密字段均使用密钥 {kid}。"
        if previous:
            done += "现在可以从 HUIMIN_FIELD_KEY_PREVIOUS 中删除旧密钥并重启服务。"
        self.stdout.write(self.style.SUCCESS(done))
