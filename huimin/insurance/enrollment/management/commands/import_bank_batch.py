"""`huimin import-bank-batch FILE --year 2026`: book a bank collection file, report the rest."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from huimin.core.errors import DomainError
from huimin.insurance.enrollment import bank


class Command(BaseCommand):
    help = (
        "导入银行代收缴费文件（CSV或xlsx，五列：身份证号、姓名、金额、银行流水号、缴费日期）。"
        "逐行校验：合格的行入账（按银行流水号幂等，重复导入不会重复入账），"
        "不合格的行列出行号与原因。退出码：0 全部入账或已入账；1 有被拒绝的行；2 文件无法导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 或 xlsx 文件")
        parser.add_argument("--year", type=int, required=True, help="参保年度，如 2026")
        parser.add_argument(
            "--user",
            default="",
            help="以该工作人员账号导入（按其辖区校验）；不填则以系统身份导入全部辖区",
        )

    def handle(self, *args, file, year, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"工作人员账号不存在或已停用：{user}")
        try:
            batch = bank.do_import_bank_batch(actor, year, path.name, path.read_bytes())
        except DomainError as exc:
            detail = "；".join(f"{k}：{v}" for k, v in exc.fields.items()) or exc.message
            self.stderr.write(f"未导入：{detail}")
            raise SystemExit(2) from None
        self.stdout.write(
            f"批次 {batch.pk}：{batch.total_rows} 行，入账 {batch.booked} 笔"
            f"（{batch.booked_amount} 元），已入账（重复导入）{batch.repeated} 笔，"
            f"拒绝 {batch.rejected} 行"
        )
        for r in batch.rejections:
            self.stdout.write(
                f"  第{r['row']}行 {r['id_number']} {r['name']} 流水号{r['txn_no']}："
                f"{r['reason']}（{r['code']}）"
            )
        if batch.rejected:
            raise SystemExit(1)
