"""`huimin seed-review-rules [--county 430522] [--year 2026]`: the default review rule set
for the demo county, uploaded by officer and activated by officer2."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from huimin.core.errors import DomainError
from huimin.policy import has_perm
from huimin.registry import synthetic
from huimin.registry.models import Region
from huimin.review import rule_sets

UPLOADER = "officer"  # from `huimin demo_accounts`
REVIEWER = "officer2"  # the second pair of eyes


def _officer(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not has_perm(user, "review.rules"):
        raise CommandError(
            f"缺少可上传、启用审核规则集的账号 {username}：先运行 huimin demo_accounts"
        )
    return user


class Command(BaseCommand):
    help = (
        "为演示县上传并启用系统默认的智能审核规则集：演示经办账号 officer 上传，"
        "officer2 复核启用（四眼原则照常执行）。该县当年已有生效规则集时不改动，可重复运行。"
        "先运行 huimin demo_accounts。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", default=synthetic.DEFAULT_COUNTY, help="6位县级区划代码")
        parser.add_argument("--year", type=int, default=2026, help="规则集年度，默认2026")

    def handle(self, *args, county, year, **options):
        if not (2000 <= year <= 2100):
            raise CommandError("--year 应在2000至2100之间")
        if not (len(county) == 6 and county.isdigit()):
            raise CommandError("--county 应为6位县级区划代码")
        region = Region.objects.filter(code=county).first()
        if region is None:
            raise CommandError(f"{county} 不是已载入的区划代码")
        try:
            row, created = rule_sets.seed_rule_set(
                _officer(UPLOADER), _officer(REVIEWER), county, year, region.name
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.fields or ''}".strip()) from None
        if not created:
            self.stdout.write(
                f"{county} {year}年度已有生效审核规则集：{row.name}（#{row.pk}），未改动"
            )
            return
        self.stdout.write(
            f"已启用 {row.name}（#{row.pk}，统筹区 {row.region_code}）："
            f"{UPLOADER} 上传，{REVIEWER} 复核启用"
        )
