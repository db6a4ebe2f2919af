"""Catalog pages: search list, item detail with every version, import, mapping review.

Thin: parse the form, call one service, render. The catalog is reference data (no
personal data), so reads are checked by role but not audited; writes are audited by the
services.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huimin.core.errors import DomainError, NotFound
from huimin.insurance.catalog import services
from huimin.insurance.catalog.forms import (
    CatalogFilter,
    ImportForm,
    MappingFilter,
    MappingForm,
    ReviewForm,
)
from huimin.insurance.catalog.models import CatalogVersion, MapStatus
from huimin.insurance.queries import newest_first
from huimin.policy import has_perm, institution_of, requires, requires_any

RESULTS_TARGET = "results"
SEARCH_LIMIT = 20


def _partial(request, target: str = RESULTS_TARGET) -> bool:
    # A history restore also carries HX-Request and needs the whole page.
    return request.headers.get("HX-Target") == target and not request.headers.get(
        "HX-History-Restore-Request"
    )


@requires("catalog.read", "您的角色无权查看医保目录")
@require_GET
def catalog_list(request):
    form = CatalogFilter(request.GET)
    on = form.value("on") or services.today()
    qs = services.search(
        form.value("q"), on=on, kind=form.value("kind"), item_class=form.value("item_class")
    )
    after = form.value("after")
    if after:
        qs = qs.filter(item__code__gt=after)
    size = settings.HUIMIN_PAGE_SIZE
    rows = list(qs[: size + 1])
    context = {
        "form": form,
        "on": on,
        "rows": rows[:size],
        "next_after": rows[size - 1].item.code if len(rows) > size else None,
        "paged": bool(after),
        "can_manage": has_perm(request.user, "catalog.manage"),
    }
    template = "catalog/_catalog_results.html" if _partial(request) else "catalog/catalog_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@requires("catalog.read", "您的角色无权查看医保目录")
@require_GET
def search_fragment(request):
    """`<li>` rows of matching items for a cashier's picker (htmx)."""
    form = CatalogFilter(request.GET)
    q = form.value("q").strip()
    rows = []
    if q:
        on = form.value("on") or services.today()
        rows = list(services.search(q, on=on, kind=form.value("kind"))[:SEARCH_LIMIT])
    return render(request, "catalog/_search_items.html", {"rows": rows, "q": q})


@requires("catalog.read", "您的角色无权查看医保目录")
@require_GET
def item_detail(request, code: str):
    try:
        item = services.get_item(code)
    except NotFound:
        raise Http404("目录项目不存在") from None
    versions = list(
        CatalogVersion.objects.filter(item=item)
        .select_related("created_by")
        .order_by("-effective_from")
    )
    today = services.today()
    current = next((v for v in versions if v.in_force_on(today)), None)
    maps = (
        services.reviewable_maps(request.user)
        .filter(item=item, status=MapStatus.APPROVED)
        .order_by("institution__name", "local_code")
    )
    return render(
        request,
        "catalog/item_detail.html",
        {"item": item, "versions": versions, "current": current, "today": today, "maps": maps},
    )


@requires("catalog.manage", "您的角色无权导入医保目录")
@require_http_methods(["GET", "POST"])
def import_view(request):
    summary = rejected = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                summary = services.import_sheet(
                    request.user,
                    upload.read(),
                    default_effective=form.cleaned_data["effective"],
                    source=upload.name[:200],
                    dry_run=form.cleaned_data["dry_run"],
                    request=request,
                )
            except services.ImportRejected as exc:
                rejected = exc
            except DomainError as exc:
                form.add_error("file", "；".join(exc.fields.values()) or exc.message)
    else:
        form = ImportForm()
    status = 422 if rejected or (request.method == "POST" and form.errors) else 200
    return render(
        request,
        "catalog/import.html",
        {"form": form, "summary": summary, "rejected": rejected},
        status=status,
    )


@requires_any("catalog.manage", "catalog.map", message="您的角色无权查看目录对照")
@require_GET
def mapping_list(request):
    return render_mappings(request)


def render_mappings(request, *, form=None, error=None, http_status=200):
    """The queue, and for institution staff the submit form (`form` keeps what was typed
    when a submission is refused; `error` says why, with the refusal's status)."""
    user = request.user
    manager = has_perm(user, "catalog.manage")
    institution = user.staff.institution if institution_of(user) is not None else None
    if not manager and institution is None:
        raise PermissionDenied("您的角色无权查看目录对照")
    filters = MappingFilter(request.GET or {"status": MapStatus.SUBMITTED})
    status = filters.cleaned_data.get("status", "") if filters.is_valid() else ""
    # visible_to: managers see their jurisdiction's institutions, staff their own.
    qs = services.reviewable_maps(user)
    if status:
        qs = qs.filter(status=status)
    page = newest_first(
        qs, "submitted_at", "datetime", request.GET.get("after", ""), settings.HUIMIN_PAGE_SIZE
    )
    rows = page.rows
    query = request.GET.copy()
    query.pop("after", None)
    names = dict(
        CatalogVersion.objects.filter(item_id__in={m.item_id for m in rows})
        .order_by("item_id", "effective_from")
        .values_list("item_id", "name")
    )
    for m in rows:
        m.catalog_name = names.get(m.item_id, "")
    return render(
        request,
        "catalog/mapping_list.html",
        {
            "filters": filters,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "manager": manager,
            "institution": institution,
            "form": form or MappingForm(),
            "review_form": ReviewForm(),
            "error": error,
        },
        status=http_status,
    )


@requires("catalog.map", "只有医疗机构的工作人员可以提交本机构的目录对照")
@require_POST
def mapping_submit(request):
    institution_id = institution_of(request.user)
    if institution_id is None:
        raise PermissionDenied("只有医疗机构的工作人员可以提交本机构的目录对照")
    form = MappingForm(request.POST)
    if form.is_valid():
        try:
            services.do_submit_mapping(
                request.user,
                institution_id,
                form.cleaned_data["local_code"],
                form.cleaned_data["local_name"],
                form.cleaned_data["code"],
                request=request,
            )
        except DomainError as exc:
            # Refused: 422 (unknown code …) or 409 (already mapped), the form as typed.
            reasons = "；".join(exc.fields.values()) or exc.message
            return render_mappings(request, form=form, error=reasons, http_status=exc.status)
        messages.success(request, "目录对照已提交，等待医保经办人员审核")
        return redirect("catalog:mapping_list")
    reasons = "；".join(
        f"{form.fields[k].label}：{e}" if k in form.fields else str(e)
        for k, errs in form.errors.items()
        for e in errs
    )
    return render_mappings(request, form=form, error=reasons, http_status=422)


@requires("catalog.manage", "您的角色无权审核目录对照")
@require_POST
def mapping_review(request, pk: int):
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "审核失败：请选择通过或驳回")
        return redirect("catalog:mapping_list")
    try:
        row = services.do_review_mapping(
            request.user,
            pk,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
            request=request,
        )
    except DomainError as exc:
        messages.error(request, "审核失败：" + ("；".join(exc.fields.values()) or exc.message))
    else:
        messages.success(request, f"目录对照{row.local_code}：{row.get_status_display()}")
    return redirect("catalog:mapping_list")
