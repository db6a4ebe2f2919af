"""`huimin generate`: a synthetic county for demos and benchmarks (see registry/synthetic.py)."""

import datetime

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huimin.registry import synthetic
from huimin.registry.models import Person, Region, RegionLevel


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of 应为 YYYY-MM-DD 格式的日期：{text}") from None


class Command(BaseCommand):
    help = (
        "生成一个合成县：乡镇、村（社区）、定点医疗机构、家庭户与居民（含特殊人员类别、死亡、"
        "少量疑似重复登记）。默认县为 430522（湖南省邵阳市新邵县，迁移0002载入的现行县级代码），"
        f"默认 {synthetic.DEFAULT_RESIDENTS} 人，种子 {synthetic.DEFAULT_SEED}。"
        "相同的 --county、--residents、--seed 与 --as-of 总是生成相同的数据。"
        "该县已有居民时不再生成，直接退出（返回0）：要换一份数据，请使用新的数据库。"
        "该县已有乡、村区划（如导入的统计用区划）时，居民安置到这些村；"
        "已有的同类医疗机构不重复创建。全部数据在一个事务中写入，中断则不留半份数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--county",
            default=synthetic.DEFAULT_COUNTY,
            help="6位县级区划代码（须为现行代码），默认 430522 新邵县",
        )
        parser.add_argument(
            "--residents", type=int, default=synthetic.DEFAULT_RESIDENTS, help="居民人数"
        )
        parser.add_argument("--seed", type=int, default=synthetic.DEFAULT_SEED, help="随机种子")
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            help="数据的“今天”（YYYY-MM-DD），年龄与日期相对于它；默认今天",
        )
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="每批写入的居民数（默认5000）"
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
        parser.add_argument(
            "--no-records",
            action="store_true",
            help="只生成居民登记，不生成健康档案（之后可运行 huimin generate-records）",
        )

    def handle(
        self, *args, county, residents, seed, as_of, batch_size, no_progress, no_records, **options
    ):
        if residents < 1:
            raise CommandError("--residents 至少为1")
        if batch_size < 100:
            raise CommandError("--batch-size 至少为100")
        region = Region.objects.filter(code=county, level=RegionLevel.COUNTY).first()
        if region is None:
            raise CommandError(f"{county} 不是已载入的县级区划代码（先运行 huimin migrate）")
        if not region.in_force:
            raise CommandError(f"{region} 已于{region.valid_to}年撤销，请使用现行的县级代码")
        existing = Person.objects.within(county).count()
        if existing:
            self.stdout.write(
                f"{region} 已有 {existing} 名居民，未重新生成。"
                "要换一份数据，请使用新的数据库（例如删除 var/huimin.sqlite3 后再运行 make demo）。"
            )
            return
        divisions = list(
            Region.objects.filter(
                prefix__startswith=county,
                level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE],
            ).values_list("code", "name")
        )
        try:
            generator = synthetic.CountyGenerator(
                county,
                residents,
                seed,
                as_of=as_of or timezone.localdate(),
                county_name=region.name,
                divisions=divisions or None,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if divisions:
            self.stdout.write(f"使用已有的 {len(generator.villages)} 个村（社区）区划")
        result = synthetic.write_county(
            generator,
            batch_size=batch_size,
            progress=False if no_progress else None,
        )
        rate = result.people / result.seconds if result.seconds else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {region}：乡镇 {result.townships} 个，村（社区） {result.villages} 个，"
                f"新增医疗机构 {result.institutions} 家，家庭户 {result.households} 户，"
                f"居民 {result.people} 人（已死亡 {result.deceased} 人，"
                f"疑似重复登记 {result.duplicates} 对），特殊人员类别记录 {result.categories} 条；"
                f"用时 {result.seconds:.1f} 秒（{rate:,.0f} 人/秒）"
            )
        )
        # Health records for the new people, through the records app's own command: the
        # registry sits below that app and never imports it (DESIGN.md §2).
        if not no_records and "generate_records" in get_commands():
            day = as_of or timezone.localdate()
            call_command(
                "generate_records",
                year=day.year,
                as_of=day,
                region=county,
                no_progress=no_progress,
                stdout=self.stdout,
            )
