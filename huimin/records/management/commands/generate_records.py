"""`huimin generate-records`: synthetic health records for the people already generated
(see the huimin/records/synthetic package and synthetic_writer.py)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huimin.records.synthetic import DEFAULT_SEED
from huimin.records.synthetic_writer import write_records

PROBLEM_LABELS = {
    "missing_weight": "随访缺体重",
    "swapped_bp": "血压填反",
    "height_drop": "身高骤降",
    "draft": "未签名草稿",
    "followup_gap": "随访间断",
    "duplicate_same_day": "同日重复随访",
    "missed_dose": "漏种疫苗",
    "missed_check": "漏做儿童体检",
    "missing_waist": "体检缺腰围",
    "missing_personal_info": "缺个人基本信息表",
    "personal_info_incomplete": "个人基本信息表不完整",
}


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of 应为 YYYY-MM-DD 格式的日期：{text}") from None


class Command(BaseCommand):
    help = (
        "为已登记（huimin generate 生成）的居民生成合成健康档案：约85%的居民建档，"
        "高血压、2型糖尿病、严重精神障碍患者登记及全年随访，年度健康体检，"
        "儿童、孕产妇、老年人服务（生活自理能力评估、中医体质辨识）与预防接种，"
        "并按真实比例注入数据质量问题。已建档的居民跳过，可重复运行。"
        "相同的 --seed、--year 与 --as-of 总是生成相同的数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="服务年度（默认今年）")
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            help="数据的“今天”（YYYY-MM-DD）；默认今天，往年为12月31日",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
        parser.add_argument("--region", default="", help="只处理该区划代码前缀下的居民")
        parser.add_argument("--batch-size", type=int, default=5000, help="每个事务的档案数")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, year, as_of, seed, region, batch_size, no_progress, **options):
        today = timezone.localdate()
        year = year or (as_of or today).year
        if as_of is None:
            as_of = today if year == today.year else datetime.date(year, 12, 31)
        if as_of.year != year:
            raise CommandError("--as-of 应在 --year 指定的年度内")
        if as_of > today:
            raise CommandError("--as-of 不能晚于今天（表单日期不能在将来）")
        if batch_size < 100:
            raise CommandError("--batch-size 至少为100")
        result = write_records(
            year=year,
            as_of=as_of,
            seed=seed,
            prefix=region,
            batch_size=batch_size,
            progress=False if no_progress else None,
        )
        problems = "，".join(
            f"{PROBLEM_LABELS.get(k, k)} {v}" for k, v in sorted(result.injected.items())
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {year} 年健康档案 {result.records} 份（已结案 {result.closed} 份，"
                f"原已建档跳过 {result.skipped} 人），管理项目 {result.programmes} 个，"
                f"表单 {result.forms} 份（草稿 {result.drafts} 份）；"
                f"注入的质量问题：{problems or '无'}；用时 {result.seconds:.1f} 秒"
            )
        )
