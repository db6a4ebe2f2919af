"""`huimin demo_accounts`: one login per role for a generated (synthetic) county."""

import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from huimin.accounts import services as accounts
from huimin.accounts.demo import ACCOUNTS, DEMO_PASSWORD
from huimin.registry import synthetic
from huimin.registry.models import (
    Institution,
    InstitutionKind,
    Region,
    RegionLevel,
    Staff,
)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = (
        "为每个角色创建一个演示账号（已存在则重置密码和岗位），并打印账号表。"
        f"默认密码 {DEMO_PASSWORD}，默认县 {synthetic.DEFAULT_COUNTY}（先运行 huimin generate）。"
        "演示密码是公开的：只在合成数据的县使用，生产环境切勿运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", default=synthetic.DEFAULT_COUNTY, help="6位县级区划代码")
        parser.add_argument(
            "--password", default=DEMO_PASSWORD, help=f"演示账号的共同密码（默认 {DEMO_PASSWORD}）"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="该县的区划不是合成数据时也创建（演示密码是公开的，生产环境切勿使用）",
        )

    def handle(self, *args, county, password, force, **options):
        self._check_password(password)
        county_region = Region.objects.filter(code=county, level=RegionLevel.COUNTY).first()
        if county_region is None:
            raise CommandError(f"{county} 不是已载入的县级区划代码")
        below = Region.objects.filter(prefix__startswith=county).exclude(code=county)
        if not force and not below.filter(source=synthetic.SOURCE).exists():
            raise CommandError(
                f"{county_region} 没有合成数据：先运行 huimin generate --county {county}"
                "（或确认不是生产环境后加 --force）"
            )
        places = self._places(county_region)
        rows = []
        second_factor = []
        User = get_user_model()
        with transaction.atomic():
            for username, role, display, place in ACCOUNTS:
                region, institution = places[place]
                user = User.objects.filter(username=username).first() or User(username=username)
                user.first_name = display
                user.is_active = True
                user.set_password(password)
                user.save()
                Staff.objects.update_or_create(
                    user=user,
                    defaults={
                        "role": role,
                        "institution": institution,
                        "jurisdiction": region.prefix,
                    },
                )
                if self._enrol_demo_totp(user):
                    second_factor.append(username)
                rows.append(
                    [
                        username,
                        display,
                        role.label,
                        password,
                        f"{region.name}（{region.prefix}）",
                        institution.name if institution else "",
                    ]
                )
        self._table(["用户名", "姓名", "角色", "密码", "辖区", "机构"], rows)
        if second_factor:
            self.stdout.write(
                f"\n{', '.join(second_factor)} 登录时还需动态口令：设置 HUIMIN_DEMO=1 后运行 "
                "huimin demo-totp 用户名 取得当前6位口令（演示口令由用户名推出，同样是公开的）。"
            )

    def _enrol_demo_totp(self, user) -> bool:
        """Roles that need a second factor get a demo TOTP device, so a demo login never
        stops at enrolment."""
        if not accounts.needs_second_factor(user):
            return False
        accounts.enrol_demo_totp(user)
        return True

    def _check_password(self, password: str) -> None:
        # The one password policy (AUTH_PASSWORD_VALIDATORS), as for every account.
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None

    def _places(self, county: Region) -> dict:
        code = county.code
        township = (
            Region.objects.filter(level=RegionLevel.TOWNSHIP, prefix__startswith=code)
            .order_by("code")
            .first()
        )
        institutions = Institution.objects.within(code)
        hospital = (
            institutions.filter(kind=InstitutionKind.COUNTY_HOSPITAL)
            .order_by("insurance_code")
            .first()
        )
        clinics = institutions.filter(kind=InstitutionKind.VILLAGE_CLINIC).select_related("region")
        # A 村卫生室 rather than a community's 卫生服务站: that is what a village doctor runs.
        clinic = (
            clinics.filter(region__name__endswith="村")
            .order_by("region_id", "insurance_code")
            .first()
            or clinics.order_by("region_id", "insurance_code").first()
        )
        if township is None or hospital is None or clinic is None:
            raise CommandError(
                f"{county} 缺少乡镇、县医院或村卫生室：先运行 huimin generate --county {code}"
            )
        return {
            "county": (county, None),
            "township": (township, None),
            "hospital": (county, hospital),
            "clinic": (clinic.region, clinic),
        }

    def _table(self, header: list[str], rows: list[list[str]]) -> None:
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for r in [header, ["-" * w for w in widths], *rows]:
            line = "  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True))
            self.stdout.write(line.rstrip())
