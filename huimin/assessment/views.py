"""Assessment pages: the county's year (scheme, versions, townships ranked), one region's
result (every point earned and lost, linking to the reports drill-down and worklist),
its xlsx and PDF, and a village clinic's monthly workload and subsidy statement.
Thin: everything shown is a stored row of a publication."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from huimin.assessment import exports, services
from huimin.assessment.models import AssessmentScheme, Publication, RegionScore
from huimin.assessment.scheme import default_document
from huimin.core.errors import DomainError
from huimin.policy import check_perm, has_perm, requires
from huimin.policy.scope import jurisdiction_of
from huimin.registry.models import Region

READ = "assessment.read"
NO_READ = "您的角色不能查看绩效考核"


def _county(request) -> str:
    code = request.GET.get("county", "") or request.POST.get("county", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        prefix = jurisdiction_of(request.user) or ""
        if len(prefix) >= 6:
            code = prefix[:6]
        else:
            code = (
                Region.objects.filter(level="county", code__startswith=prefix)
                .order_by("code")
                .values_list("code", flat=True)
                .first()
            )
            if code is None:
                raise PermissionDenied("您的辖区内没有县级区划")
    return code


def _year(request) -> int:
    text = request.GET.get("year", "") or request.POST.get("year", "")
    if text.isascii() and text.isdigit() and 2000 <= int(text) <= 2999:
        return int(text)
    return timezone.localdate().year


def _check_county(request, county: str) -> str:
    """403 outside the user's jurisdiction; a township's staff read their own township's
    rows of the county's pages. Returns the user's jurisdiction prefix."""
    mine = jurisdiction_of(request.user) or ""
    check_perm(
        request.user,
        READ,
        mine if len(mine) > 6 and mine.startswith(county) else county,
        message="该县不在您的辖区内",
    )
    return mine


@requires(READ, NO_READ)
@require_GET
def index(request):
    county, year = _county(request), _year(request)
    mine = _check_county(request, county)
    pubs = list(Publication.objects.filter(region_code=county, year=year).order_by("-version"))
    shown = next((p for p in pubs if p.status == "published"), pubs[0] if pubs else None)
    towns = []
    if shown is not None:
        towns = list(shown.scores.filter(parent_code=county).order_by("-score", "region_code"))
        if len(mine) > 6:
            towns = [t for t in towns if t.region_code.startswith(mine[:9])]
    may_manage = has_perm(request.user, services.PERMISSION)
    return render(
        request,
        "assessment/index.html",
        {
            "county": Region.objects.filter(code=county).first(),
            "year": year,
            "years": [year + 1, year, year - 1],
            "schemes": AssessmentScheme.objects.filter(
                region_code=county, year=year
            ).select_related("uploaded_by", "activated_by"),
            "pubs": pubs,
            "shown": shown,
            "towns": towns,
            "may_manage": may_manage,
            "default_document": default_document(county, year) if may_manage else "",
        },
    )


@requires(services.PERMISSION, "您的角色不能管理考核方案")
@require_POST
def scheme_action(request):
    county, year = _county(request), _year(request)
    action = request.POST.get("action", "")
    try:
        if action == "upload":
            services.SCHEMES.upload(
                request.user,
                request.POST.get("document", ""),
                request.POST.get("note", ""),
                request=request,
            )
            messages.success(request, "考核方案已上传，待另一位考核人员启用")
        elif action in ("activate", "reject"):
            raw = request.POST.get("scheme", "")
            if not (raw.isascii() and raw.isdigit()):
                raise Http404("没有这个考核方案")
            if action == "activate":
                services.SCHEMES.activate(request.user, int(raw), request=request)
                messages.success(request, "考核方案已启用")
            else:
                services.SCHEMES.reject(
                    request.user, int(raw), request.POST.get("reason", ""), request=request
                )
                messages.success(request, "考核方案已退回")
        else:
            messages.error(request, "未知操作")
    except DomainError as exc:
        messages.error(request, str(exc.message if hasattr(exc, "message") else exc))
        for field, problem in (getattr(exc, "fields", None) or {}).items():
            messages.error(request, f"{field}：{problem}")
    return redirect(f"/assessment/?county={county}&year={year}")


@requires(services.PERMISSION, "您的角色不能进行绩效考核评分")
@require_POST
def score(request):
    county, year = _county(request), _year(request)
    try:
        pub = services.do_score(request.user, county, year, request=request)
        messages.success(request, f"已评分，生成第{pub.version}版，待另一位考核人员发布")
    except DomainError as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
    return redirect(f"/assessment/?county={county}&year={year}")


@requires(services.PERMISSION, "您的角色不能发布考核结果")
@require_POST
def publish(request, pub_id: int):
    try:
        pub = services.do_publish(request.user, pub_id, request=request)
        messages.success(request, f"第{pub.version}版考核结果已发布")
        return redirect(f"/assessment/?county={pub.region_code}&year={pub.year}")
    except DomainError as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
    return redirect("/assessment/")


def _row(request, pub_id: int, region: str) -> tuple[Publication, RegionScore]:
    pub = (
        Publication.objects.select_related("scheme", "scored_by", "published_by")
        .filter(pk=pub_id)
        .first()
    )
    if pub is None:
        raise Http404("没有这个考核结果")
    if not (region.isascii() and region.isdigit() and len(region) in (9, 12)):
        raise Http404("没有这个区划")
    check_perm(request.user, READ, region, message="该区划不在您的辖区内")
    row = pub.scores.filter(region_code=region).first()
    if row is None:
        raise Http404("该版本没有这个区划的考核结果")
    return pub, row


def context(pub: Publication, row: RegionScore) -> dict:
    lines = []
    for ln in row.lines:
        lines.append({**ln, "rate_pct": None if ln["rate"] is None else Decimal(ln["rate"]) * 100})
    return {
        "pub": pub,
        "row": row,
        "items": [ln for ln in lines if ln["kind"] == "item"],
        "deductions": [ln for ln in lines if ln["kind"] == "deduction"],
        "villages": list(pub.scores.filter(parent_code=row.region_code).order_by("region_code"))
        if row.level == "township"
        else [],
        "period": str(pub.year),
    }


@requires(READ, NO_READ)
@require_GET
def result(request, pub_id: int, region: str):
    pub, row = _row(request, pub_id, region)
    return render(request, "assessment/result.html", context(pub, row))


@requires(READ, NO_READ)
@require_GET
def result_xlsx(request, pub_id: int, region: str):
    pub, row = _row(request, pub_id, region)
    return _download(
        exports.result_xlsx(context(pub, row)),
        f"assessment-{region}-{pub.year}-v{pub.version}.xlsx",
    )


@requires(READ, NO_READ)
@require_GET
def result_pdf(request, pub_id: int, region: str):
    pub, row = _row(request, pub_id, region)
    return _download(
        exports.result_pdf(context(pub, row)), f"assessment-{region}-{pub.year}-v{pub.version}.pdf"
    )


@requires(READ, NO_READ)
@require_GET
def statement(request, pub_id: int, region: str):
    pub, row = _row(request, pub_id, region)
    if row.level != "village":
        raise Http404("村医补助明细按村卫生室查看")
    months = services.monthly_statement(pub, row)
    return render(request, "assessment/statement.html", {"pub": pub, "row": row, "months": months})


@requires(READ, NO_READ)
@require_GET
def statement_xlsx(request, pub_id: int, region: str):
    pub, row = _row(request, pub_id, region)
    if row.level != "village":
        raise Http404("村医补助明细按村卫生室查看")
    data = exports.statement_xlsx(pub, row, services.monthly_statement(pub, row))
    return _download(data, f"village-doctor-{region}-{pub.year}.xlsx")


def _download(data: bytes, filename: str) -> HttpResponse:
    kind = (
        "application/pdf"
        if filename.endswith(".pdf")
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@requires(READ, NO_READ)
@require_GET
def funds(request):
    """The public-health funds' own books: balances, and what each township centre and
    each village clinic is owed — so a share held back by a township shows."""
    county, year = _county(request), _year(request)
    mine = _check_county(request, county)
    books = services.fund_books(county, year)
    if len(mine) > 6:  # a township's staff: their own centre and clinics
        books["payees"] = [p for p in books["payees"] if p["code"].startswith(mine[:9])]
    return render(
        request,
        "assessment/funds.html",
        {"county": Region.objects.filter(code=county).first(), "year": year, **books},
    )
