"""`huimin seed-assessment [--county 430522] [--year 2026]`: the shipped scheme for the
demo county, uploaded by assessor and activated by assessor2; the county scored by
assessor and published by assessor2 (four eyes as always). Run after `huimin indicators
rebuild`. Repeatable: an active scheme and a published result are left as they are."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from huimin.assessment import services
from huimin.assessment.scheme import default_document
from huimin.core.errors import DomainError
from huimin.policy import has_perm
from huimin.registry import synthetic
from huimin.registry.models import Region

SCORER = "assessor"  # from `huimin demo_accounts`
REVIEWER = "assessor2"


def _assessor(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not has_perm(user, services.PERMISSION):
        raise CommandError(f"缺少考核人员账号 {username}：先运行 huimin demo_accounts")
    return user


class Command(BaseCommand):
    help = (
        "为演示县上传并启用默认绩效考核方案（assessor 上传，assessor2 启用），"
        "按方案评分（assessor）并发布（assessor2）。已发布的不改动，可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", default=synthetic.DEFAULT_COUNTY, help="6位县级区划代码")
        parser.add_argument("--year", type=int, default=2026, help="考核年度，默认2026")

    def handle(self, *args, county, year, **options):
        if not (2000 <= year <= 2100):
            raise CommandError("--year 应在2000至2100之间")
        if not (len(county) == 6 and county.isdigit()):
            raise CommandError("--county 应为6位县级区划代码")
        region = Region.objects.filter(code=county).first()
        if region is None:
            raise CommandError(f"{county} 不是已载入的区划代码")
        scorer, reviewer = _assessor(SCORER), _assessor(REVIEWER)
        try:
            if services.active_scheme(county, year) is None:
                row = services.SCHEMES.upload(scorer, default_document(county, year, region.name))
                services.SCHEMES.activate(reviewer, row.pk)
                self.stdout.write(f"已启用考核方案 {row.name}：{SCORER} 上传，{REVIEWER} 启用")
            pub = services.published(county, year)
            if pub is not None:
                self.stdout.write(f"{county} {year}年度考核结果已发布（第{pub.version}版），未改动")
                return
            pub = services.do_score(scorer, county, year)
            services.do_publish(reviewer, pub.pk)
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.fields or ''}".strip()) from None
        towns = pub.scores.filter(parent_code=county).count()
        self.stdout.write(
            f"已评分并发布 {year}年度考核结果第{pub.version}版：{towns}个乡镇，"
            f"{SCORER} 评分，{REVIEWER} 发布"
        )
