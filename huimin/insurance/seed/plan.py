"""`huimin seed-plan`: the demo county's plan, uploaded by one officer and activated by a
second (the four-eyes rule kept, not bypassed)."""

import re
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from huimin.insurance import plans
from huimin.policy import has_perm
from huimin.registry import synthetic
from huimin.registry.models import (
    Region,
    RegionLevel,
)

DEMO_PLAN = Path(__file__).parent.parent / "demo_plan.yaml"
UPLOADER = "officer"  # from `huimin demo_accounts`
REVIEWER = "officer2"  # also from `huimin demo_accounts`: the second pair of eyes
KEY_PREFIX = "seed-"  # idempotency keys: seed-YYYYMMDD-NNNN[-r|-2]
DEFAULT_PER_DAY = 8  # ~2,600 settlements by late November, about a minute


class SeedError(ValueError):
    pass


# ---------------------------------------------------------------- the plan


@dataclass
class PlanSeed:
    plan: object
    created: bool


def demo_plan_document(county: str, year: int, county_name: str) -> str:
    """The demo plan's YAML for a county and year (name, region and year lines rewritten)."""
    text = DEMO_PLAN.read_text(encoding="utf-8")
    name = f"{county_name}城乡居民医保{year}年度结算方案（演示）"
    for pattern, line in (
        (r"^plan: .*$", f'plan: "{name}"'),
        (r'^region: "\d+"', f'region: "{county}"'),
        (r"^year: \d{4}", f"year: {year}"),
    ):
        text, n = re.subn(pattern, line, text, count=1, flags=re.MULTILINE)
        if n != 1:
            raise SeedError(f"{DEMO_PLAN.name} 缺少 {pattern} 一行")
    return text


def county_region(county: str) -> Region:
    region = Region.objects.filter(code=county, level=RegionLevel.COUNTY).first()
    if region is None:
        raise SeedError(f"{county} 不是已载入的县级区划代码")
    return region


def is_synthetic(county: str) -> bool:
    below = Region.objects.filter(prefix__startswith=county).exclude(code=county)
    return below.filter(source=synthetic.SOURCE).exists()


def _officer(username: str):
    user = get_user_model().objects.filter(username=username).select_related("staff").first()
    if user is None or not has_perm(user, "institution.write"):
        raise SeedError(f"缺少可上传、启用方案的经办账号 {username}：先运行 huimin demo_accounts")
    return user


def seed_plan(county: str, year: int, *, force: bool = False) -> PlanSeed:
    """Upload and activate the demo plan unless the county already has one for the year."""
    region = county_region(county)
    existing = plans.active_plan_for(county, year)
    if existing is not None:
        return PlanSeed(existing, created=False)
    if not force and not is_synthetic(county):
        raise SeedError(
            f"{region.name}（{county}）没有合成数据：演示方案只用于 huimin generate 生成的县"
            "（确认不是生产环境后可加 --force）"
        )
    document = demo_plan_document(county, year, region.name)
    uploader = _officer(UPLOADER)
    with transaction.atomic():
        reviewer = _officer(REVIEWER)
        row = plans.do_upload_plan(uploader, document, note="演示方案（huimin seed-plan）")
        row = plans.do_activate_plan(reviewer, row.pk)
    return PlanSeed(row, created=True)
