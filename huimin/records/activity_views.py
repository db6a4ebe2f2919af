"""Activity logs that belong to no resident: 健康教育活动记录表 and 卫生监督协管信息报告
登记表, kept per village. Listed, filled (draft or signed) and read like other forms."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from huimin.core.errors import Conflict, ValidationFailed
from huimin.core.text import ascii_digits
from huimin.policy import requires
from huimin.records import services
from huimin.records.due_views import villages_in_jurisdiction
from huimin.records.forms import SPECS
from huimin.records.models import Form
from huimin.records.views import domain_errors_as_http, may, raw_from_post, widgets
from huimin.registry.models import Region, RegionLevel

ACTIVITY_KINDS = [kind for kind, spec in SPECS.items() if not spec.per_person]


@requires("record.read", "您的角色不能查看健康档案")
@require_GET
@domain_errors_as_http
def activity_list(request):
    rows = (
        Form.objects.visible_to(request.user)
        .current()
        .filter(kind__in=ACTIVITY_KINDS, person__isnull=True)
        .order_by("-service_date", "-id")
        .only("id", "kind", "region_code", "service_date", "status", "doctor_name", "data")[:200]
    )
    names = dict(
        Region.objects.filter(code__in={r.region_code for r in rows}).values_list("code", "name")
    )
    return render(
        request,
        "records/activity_list.html",
        {
            "rows": [(r, names.get(r.region_code, r.region_code)) for r in rows],
            "kinds": [(k, SPECS[k].title) for k in ACTIVITY_KINDS],
            "can_write": may(request.user, "record.write"),
        },
    )


def _village(user, code: str, errors: dict) -> str:
    code = (code or "").strip()
    if not Region.objects.filter(code=code, level=RegionLevel.VILLAGE).exists():
        errors["region_code"] = "请选择村（居）"
        return ""
    return code


def _draft_id(raw: str) -> int | None:
    return int(raw) if ascii_digits(raw) and len(raw) < 19 else None


@requires("record.write", "您无权办理此项健康档案业务")
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def activity_new(request, kind: str):
    if kind not in ACTIVITY_KINDS:
        raise Http404("没有这种活动记录表")
    spec = SPECS[kind]
    villages = villages_in_jurisdiction(request.user)
    values: dict = {}
    errors: dict[str, str] = {}
    message = ""
    region_code = villages[0].code if len(villages) == 1 else ""
    # A draft saved with problems is continued, not saved again as a second draft.
    draft_id = _draft_id(request.POST.get("form_id", "")) if request.method == "POST" else None
    if request.method == "POST":
        values = raw_from_post(spec, request.POST)
        region_code = _village(request.user, request.POST.get("region_code", ""), errors)
        if not errors:
            sign = request.POST.get("action") == "sign"
            try:
                form, problems = services.do_save_form(
                    request.user,
                    kind,
                    values,
                    sign=sign,
                    region_code=region_code,
                    form_id=draft_id,
                )
            except (ValidationFailed, Conflict) as exc:
                errors = dict(exc.fields or {})
                message = "未能签名提交：" + exc.message
            else:
                if not problems:
                    return redirect("records:activities")
                errors = services.problems_to_fields(problems)
                message = "草稿已保存，但有待更正的内容"
                draft_id = form.pk
        else:
            message = "请选择村（居）"
    return render(
        request,
        "records/activity_form.html",
        {
            "spec": spec,
            "sections": widgets(spec, values, errors),
            "villages": villages,
            "region_code": region_code,
            "draft_id": draft_id,
            "errors": errors,
            "message": message,
        },
        status=422 if errors and request.method == "POST" else 200,
    )
