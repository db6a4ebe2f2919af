"""Mediation pages (/mediation/): the case list, a case with its timeline and the next
step's form, the new-case form, document upload and download, and the case file as PDF.

Thin: every read goes through the policy (visible_to, get_visible_or_404, audit_listing,
all naming the applicant), every write calls one service. A refused write re-renders
the page with the reasons and its status (422 bad input, 409 out of order) and changes
nothing.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huimin.core import documents
from huimin.core.errors import DomainError
from huimin.insurance import receipt
from huimin.mediation import casefile, rules, services
from huimin.mediation.models import OWNER_TYPE, MediationCase
from huimin.policy import get_visible_or_404, has_perm, reads, requires, visible_to
from huimin.registry.models import Institution

LABELS = {
    "id_number": "参保人身份证号",
    "applicant_name": "申请人",
    "institution": "医疗机构",
    "settlement": "相关结算号",
    "summary": "纠纷概要",
    "claimed_amount": "申请赔偿金额",
    "note": "说明",
    "responsibility": "责任程度",
    "result": "结果",
    "amount": "金额",
    "reference": "编号",
    "step": "步骤",
    "file": "文件",
    "purpose": "材料所属",
}
STATUS_FILTERS = [("open", "办理中"), *rules.STATUS_LABELS.items()]
MAX_ID = 2**63 - 1


def _error(exc: DomainError) -> dict:
    return {
        "message": exc.message,
        "fields": {LABELS.get(k, k): v for k, v in exc.fields.items()},
        "raw": exc.fields,
    }


def _case(request, pk: int, purpose: str) -> MediationCase:
    return get_visible_or_404(
        request.user,
        MediationCase.objects.select_related("institution", "person", "settlement", "opened_by"),
        pk,
        purpose,
        request=request,
        object_type=OWNER_TYPE,
        what="调解案件",
    )


# ---------------------------------------------------------------- list


@requires("mediation.read")
@require_GET
def case_list(request):
    qs = visible_to(request.user, MediationCase).select_related("institution", "person")
    today = services.today()
    status = request.GET.get("status", "open")
    overdue = request.GET.get("overdue") == "1"
    number = request.GET.get("number", "").strip().upper()
    problems = {}
    if status == "open":
        qs = qs.exclude(status=rules.CLOSED)
    elif status in rules.STATUS_LABELS:
        qs = qs.filter(status=status)
    elif status:
        problems["状态"] = "状态不在允许范围内"
    if overdue:
        qs = qs.filter(step_due__lt=today).exclude(status=rules.CLOSED)
    if number:
        if len(number) > 20 or not number.isascii() or not number.isalnum():
            problems["案件编号"] = "案件编号应为字母和数字"
        else:
            qs = qs.filter(number__startswith=number)
    after = request.GET.get("after", "")
    if after:
        if after.isascii() and after.isdigit() and 0 < int(after) <= MAX_ID:
            qs = qs.filter(pk__lt=int(after))
        else:
            problems["翻页"] = "翻页标记无效，已从第一页显示"
    size = settings.HUIMIN_PAGE_SIZE
    rows = list(qs.order_by("-id")[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    for row in rows:
        row.overdue_days = rules.days_overdue(row.status, row.step_due, today)
    reads.audit_listing(
        request.user,
        model_label=OWNER_TYPE,
        rows=rows,
        query_description=f"调解案件列表 status={status} overdue={int(overdue)}",
        request=request,
    )
    query = request.GET.copy()
    query.pop("after", None)
    if more and rows:
        query["after"] = rows[-1].pk
    return render(
        request,
        "mediation/case_list.html",
        {
            "rows": rows,
            "status": status,
            "overdue": overdue,
            "number": number,
            "statuses": STATUS_FILTERS,
            "problems": problems,
            "next_query": query.urlencode() if more and rows else "",
            "can_manage": has_perm(request.user, services.MANAGE),
        },
    )


# ---------------------------------------------------------------- new case


@requires("mediation.manage")
@require_http_methods(["GET", "POST"])
def case_new(request):
    error, status = None, 200
    if request.method == "POST":
        try:
            case = services.do_open_case(request.user, request.POST, request=request)
        except DomainError as exc:
            error, status = _error(exc), exc.status
        else:
            messages.success(request, f"已受理登记调解案件 {case.number}")
            return redirect("mediation:case_detail", pk=case.pk)
    institutions = visible_to(request.user, Institution).order_by("region_id", "name")[:500]
    return render(
        request,
        "mediation/case_new.html",
        {
            "error": error,
            "values": request.POST,
            "institutions": institutions,
            "days": services.conf.step_days()[rules.ACCEPTANCE],
        },
        status=status,
    )


# ---------------------------------------------------------------- one case


def _detail(request, pk: int, *, error=None, status=200, values=None):
    case = _case(request, pk, "查看调解案件")
    today = services.today()
    steps = list(case.steps.select_related("done_by"))
    for step in steps:
        step.late = (
            step.deadline is not None and timezone.localtime(step.done_at).date() > step.deadline
        )
    docs = services.documents_of(case)
    return render(
        request,
        "mediation/case_detail.html",
        {
            "case": case,
            "steps": steps,
            "docs": docs,
            "next_step": rules.next_step(case.status),
            "next_label": rules.STEP_LABELS.get(case.status, ""),
            "overdue_days": rules.days_overdue(case.status, case.step_due, today),
            "can_manage": has_perm(request.user, services.MANAGE),
            "responsibility_degrees": rules.RESPONSIBILITY_DEGREES,
            "expert_results": rules.EXPERT_RESULTS,
            "agreement_results": rules.AGREEMENT_RESULTS,
            "follow_up_results": rules.FOLLOW_UP_RESULTS,
            "agreed_amount": next(
                (s.amount for s in steps if s.step == rules.AGREEMENT and s.amount), None
            ),
            "purposes": list(services.PURPOSES.items()),
            "error": error,
            "values": values or {},
            "accept": ",".join(f".{ext}" for ext in documents.ALLOWED_TYPES.values()),
            "max_mb": max(1, settings.HUIMIN_DOCUMENT_MAX_BYTES // (1024 * 1024)),
        },
        status=status,
    )


@requires("mediation.read")
@require_GET
def case_detail(request, pk: int):
    return _detail(request, pk)


@requires("mediation.manage")
@require_POST
def case_step(request, pk: int):
    step = request.POST.get("step", "")
    try:
        done = services.do_record_step(request.user, pk, step, request.POST, request=request)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detail(request, pk, error=_error(exc), status=exc.status, values=request.POST)
    messages.success(request, f"已登记“{done.label}”")
    return redirect("mediation:case_detail", pk=pk)


@requires("mediation.manage")
@require_POST
def case_upload(request, pk: int):
    try:
        doc = services.do_upload(
            request.user,
            pk,
            request.FILES.get("file"),
            request.POST.get("purpose", ""),
            request=request,
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _detail(request, pk, error=_error(exc), status=exc.status)
    messages.success(request, f"已上传材料“{doc.filename}”")
    return redirect("mediation:case_detail", pk=pk)


@requires("mediation.read")
@require_GET
def case_document(request, pk: int, doc_id: int):
    case = _case(request, pk, f"下载调解材料 #{doc_id}")
    doc = services.document_of(case, doc_id)
    try:
        return documents.download(doc)
    except documents.DocumentDamaged:
        return render(
            request,
            "mediation/document_damaged.html",
            {"case": case, "doc": doc},
            status=409,
        )


@requires("mediation.read")
@require_GET
def case_pdf(request, pk: int):
    case = _case(request, pk, "打印调解案卷（PDF）")
    steps = list(case.steps.select_related("done_by"))
    try:
        body = casefile.pdf(case, steps, services.documents_of(case), services.today())
    except receipt.ReceiptFontMissing as exc:
        return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{case.number}.pdf")
    return response
