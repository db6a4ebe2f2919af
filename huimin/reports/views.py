"""Indicator pages: the list for a region and period, one indicator's drill-down, the
people behind a figure (audited), and the two dashboards. Thin: figures come from
figures.py / aggregates (stored rows), lists from the definitions' querysets."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from huimin.core import idnumber
from huimin.policy import check_perm, has_perm, requires, visible_to
from huimin.policy.reads import audit_listing
from huimin.policy.scope import jurisdiction_of
from huimin.registry.models import Institution, Region
from huimin.reports import dashboards, display, figures, indicators
from huimin.reports.indicators.base import PERIOD_KIND_NAMES
from huimin.reports.models import IndicatorFigure
from huimin.reports.periods import Period

MAX_ID = 2**53
LIST_KINDS = {
    "worklist": "待服务名单（分母中未计入分子）",
    "numerator": "分子名单",
    "denominator": "分母名单",
}
GROUPS = {"health": "基本公共卫生", "insurance": "医疗保障"}
LEVEL_NAMES = {6: "县", 9: "乡镇", 12: "村"}


class Scope:
    """The region and period a page shows, read from the query string and checked
    against the user's jurisdiction (403 outside it, like every other page)."""

    def __init__(self, request, default_period: Period | None = None):
        self.problems: dict[str, str] = {}
        today = timezone.localdate()
        text = request.GET.get("period", "").strip()
        self.period = default_period or Period.year(today.year)
        if text:
            try:
                self.period = Period.parse(text)
            except ValueError as e:
                self.problems["期间"] = str(e)
        code = request.GET.get("region", "").strip()
        if code and not (code.isascii() and code.isdigit() and len(code) in (6, 9, 12)):
            self.problems["区划"] = "区划代码应为6、9或12位数字，已显示您的辖区"
            code = ""
        if not code:
            code = _home_region(request.user)
        check_perm(request.user, "reports.read", code, message="该区划不在您的辖区内")
        self.region = Region.objects.filter(code=code).first()
        if self.region is None:
            raise Http404("没有这个区划")
        self.code = code
        self.periods = _period_choices(today)

    def query(self, **extra) -> str:
        return urlencode({"region": self.code, "period": self.period.key, **extra})


def _home_region(user) -> str:
    prefix = jurisdiction_of(user) or ""
    if len(prefix) in (6, 9, 12):
        return prefix
    # A city or province reader starts at the first county with townships under it.
    first = (
        Region.objects.filter(level="county", code__startswith=prefix, children__isnull=False)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    if first is None:
        raise PermissionDenied("您的辖区内没有县级区划")
    return first


def _period_choices(today) -> list[tuple[str, str]]:
    out = [(str(y), f"{y}年") for y in (today.year, today.year - 1)]
    for q in range(1, 5):
        out.append((f"{today.year}Q{q}", f"{today.year}年第{q}季度"))
    for m in range(today.month, 0, -1):
        p = Period.month(today.year, m)
        out.append((p.key, p.label))
    for m in range(12, 0, -1):
        p = Period.month(today.year - 1, m)
        out.append((p.key, p.label))
    return out


def _row(ind, num, den, stored=True):
    v = display.value(ind, num, den)
    return {
        "ind": ind,
        "numerator": num,
        "denominator": den,
        "value": v,
        "text": display.text(ind, v),
        "target": display.target_text(ind),
        "meets": display.meets(ind, v),
        "stored": stored,
    }


def _crumbs(code: str) -> list[Region]:
    codes = [c for c in (code[:6], code[:9], code) if len(c) in (6, 9, 12)]
    found = {r.code: r for r in Region.objects.filter(code__in=sorted(set(codes)))}
    return [found[c] for c in dict.fromkeys(codes) if c in found]


@requires("reports.read", "您的角色不能查看统计指标")
@require_GET
def index(request):
    scope = Scope(request)
    stored = {
        ind: (num, den)
        for ind, num, den in IndicatorFigure.objects.filter(
            region_code=scope.code,
            institution_id=0,
            period_start=scope.period.start,
            period_end=scope.period.end,
        ).values_list("indicator", "numerator", "denominator")
    }
    level = {6: "county", 9: "township", 12: "village"}[len(scope.code)]
    groups = []
    for group, label in GROUPS.items():
        rows = []
        for ind in indicators.all_indicators(group):
            if level not in ind.levels:
                continue
            if ind.code in stored:
                rows.append(_row(ind, *stored[ind.code]))
            else:
                rows.append({"ind": ind, "text": "未汇总", "stored": False})
        groups.append((label, rows))
    return render(
        request,
        "reports/index.html",
        {"scope": scope, "groups": groups, "crumbs": _crumbs(scope.code)},
    )


def _indicator(code: str):
    try:
        return indicators.get(code)
    except KeyError:
        raise Http404("没有这个指标") from None


@requires("reports.read", "您的角色不能查看统计指标")
@require_GET
def indicator(request, code: str):
    ind = _indicator(code)
    scope = Scope(request)
    total = figures.figure(ind.code, scope.code, scope.period)
    children = []
    if len(scope.code) < 12:
        names = dict(Region.objects.filter(parent_id=scope.code).values_list("code", "name"))
        for f in figures.breakdown(ind.code, scope.code, scope.period):
            children.append(
                {
                    "code": f.region_code,
                    "name": names.get(f.region_code, ""),
                    **_row(ind, f.numerator, f.denominator),
                }
            )
    institutions = []
    if ind.institutions is not None and len(scope.code) == 6:
        rows = list(
            IndicatorFigure.objects.filter(
                indicator=ind.code,
                region_code=scope.code,
                period_start=scope.period.start,
                period_end=scope.period.end,
            )
            .exclude(institution_id=0)
            .order_by("-numerator", "institution_id")
            .values_list("institution_id", "numerator", "denominator")[:200]
        )
        names = dict(
            Institution.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "name")
        )
        institutions = [{"name": names.get(pk, pk), **_row(ind, num, den)} for pk, num, den in rows]
    may_list = ind.members is not None and has_perm(request.user, ind.list_permission)
    return render(
        request,
        "reports/indicator.html",
        {
            "ind": ind,
            "scope": scope,
            "total": _row(ind, total.numerator, total.denominator),
            "children": children,
            "child_level": LEVEL_NAMES.get(len(scope.code) + 3, ""),
            "institutions": institutions,
            "may_list": may_list,
            "crumbs": _crumbs(scope.code),
            "kind_name": PERIOD_KIND_NAMES[ind.period_kind],
        },
    )


@requires("reports.read", "您的角色不能查看统计指标")
@require_GET
def people(request, code: str):
    """The people behind a figure: the worklist (in the denominator, not the numerator),
    or either side whole. Personal data: needs the list permission of the indicator, in
    the user's jurisdiction; paged by id; every page read is audited with the ids."""
    ind = _indicator(code)
    if ind.members is None:
        raise Http404("该指标没有人员名单（估算或金额类指标）")
    scope = Scope(request)
    check_perm(request.user, ind.list_permission, scope.code, message="您的角色不能查看个人名单")
    which = request.GET.get("which", "worklist")
    if which not in LIST_KINDS:
        which = "worklist"
        scope.problems["名单"] = "名单类型无效，已显示待服务名单"
    members = ind.members(scope.code, ind.window(scope.period))
    qs = {
        "worklist": members.worklist,
        "numerator": lambda: members.numerator,
        "denominator": lambda: members.denominator,
    }[which]()
    qs = visible_to(request.user, qs)
    if members.subject != "person":
        qs = qs.select_related("person")
    after = request.GET.get("after", "")
    if after:
        if after.isascii() and after.isdigit() and 0 < int(after) <= MAX_ID:
            qs = qs.filter(pk__gt=int(after))
        else:
            scope.problems["翻页"] = "翻页标记无效，已从第一页显示"
    size = settings.HUIMIN_PAGE_SIZE
    rows = list(qs.order_by("pk")[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    shown, today = [], timezone.localdate()
    for row in rows:
        person = row if members.subject == "person" else row.person
        # Beside a masked number the age stands in for the birth date (DESIGN §6).
        age = idnumber.age_beside_mask(person.birth_date, person.death_date or today)
        shown.append({"row": row, "person": person, "age": age})
    audit_listing(
        request.user,
        model_label=f"reports.{members.subject}",
        rows=rows,
        request=request,
        query_description=f"指标名单 {ind.name} {LIST_KINDS[which]} {scope.period.label}",
        region_code=scope.code,
        fields=["name", "sex", "age", "id_number_masked", "village"],
    )
    return render(
        request,
        "reports/people.html",
        {
            "ind": ind,
            "scope": scope,
            "which": which,
            "which_label": LIST_KINDS[which],
            "kinds": LIST_KINDS,
            "rows": shown,
            "subject": members.subject,
            "next_query": scope.query(which=which, after=rows[-1].pk) if more else "",
            "crumbs": _crumbs(scope.code),
        },
    )


@requires("reports.read", "您的角色不能查看统计指标")
@require_GET
def dashboard(request, board: str):
    if board not in dashboards.BOARDS:
        raise Http404("没有这个看板")
    scope = Scope(request)
    data = dashboards.build(board, scope.code, scope.period)
    return render(
        request,
        "reports/dashboard.html",
        {
            "scope": scope,
            "board": board,
            "data": data,
            "crumbs": _crumbs(scope.code),
            "title": dashboards.BOARDS[board]["title"],
        },
    )
