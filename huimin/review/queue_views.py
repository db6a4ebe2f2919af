"""Pages of the reviewers' queue, the review page with its decisions, and the
institutions' findings and appeals (issue 14 items 5 and 6). Thin: read through the
policy (visible_to, get_visible_or_404, audit_listing), write through review.workflow."""

import datetime
import re
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import Substr
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from huimin.core import documents
from huimin.core.errors import DomainError, NotFound
from huimin.insurance.models import FeeDetail, Settlement
from huimin.policy import get_visible_or_404, requires, requires_any, visible_to
from huimin.policy.reads import audit_listing
from huimin.registry.models import Institution
from huimin.review import workflow
from huimin.review import workflow_rules as rules
from huimin.review.models import (
    Appeal,
    AppealStatus,
    Decision,
    Finding,
    FindingSource,
    Severity,
)

HISTORY_DAYS = 90
SIMILAR_LIMIT = 10
FACET_LIMIT = 30
SEVERITY_ORDER = Case(
    When(severity=Severity.BLOCKING, then=Value(0)),
    When(severity=Severity.WARNING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
VISIT_TYPES = {
    "inpatient": "住院",
    "outpatient_general": "普通门诊",
    "outpatient_chronic": "门诊慢特病",
}
_RULE = re.compile(r"[a-z_]{1,40}")
_TOWNSHIP = re.compile(r"\d{9}")


# ---------------------------------------------------------------- filters


class QueueFilter(forms.Form):
    township = forms.CharField(label="乡镇", required=False, max_length=9)
    institution = forms.IntegerField(label="医疗机构", required=False, min_value=1, max_value=2**62)
    severity = forms.ChoiceField(
        label="级别", required=False, choices=[("", "全部"), *Severity.choices]
    )
    rule = forms.CharField(label="规则", required=False, max_length=40)
    source = forms.ChoiceField(
        label="来源", required=False, choices=[("", "全部"), *FindingSource.choices]
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部待办"), *((s, rules.STATUS_LABELS[s]) for s in rules.QUEUE_STATUSES)],
    )
    page = forms.IntegerField(label="页码", required=False, min_value=1, max_value=100_000)

    def clean_township(self):
        value = self.cleaned_data["township"]
        if value and not _TOWNSHIP.fullmatch(value):
            raise forms.ValidationError("乡镇代码应为9位数字")
        return value

    def clean_rule(self):
        value = self.cleaned_data["rule"]
        if value and not _RULE.fullmatch(value):
            raise forms.ValidationError("规则编码无效")
        return value


def form_error(form) -> dict:
    return {
        "message": "输入有误，请检查后重试",
        "fields": {
            (form.fields[k].label if k in form.fields else "输入"): " ".join(v)
            for k, v in form.errors.items()
        },
    }


def error_of(exc: DomainError) -> dict:
    labels = {"amount": "追回金额", "reason": "理由", "finding_id": "疑点", "kind": "决定"}
    return {
        "message": exc.message,
        "fields": {labels.get(k, k): v for k, v in exc.fields.items()},
    }


def queue_rows(user, params: dict):
    """The queue's rows in the user's jurisdiction: waiting findings, most severe first,
    then by what the funds paid. (status, region_code) is the index it walks."""
    statuses = [params["status"]] if params.get("status") else list(rules.QUEUE_STATUSES)
    base = visible_to(user, Finding).filter(status__in=statuses)
    return base, base.filter(workflow.queue_filter(params))


def facets(base) -> dict:
    """Counts per filter value over the queue (before the other filters): what each
    choice would show. Each a GROUP BY over the same indexed set."""

    def grouped(field, expr=None):
        qs = base.annotate(v=expr if expr is not None else F(field))
        return list(qs.values("v").annotate(n=Count("id")).order_by("-n", "v")[:FACET_LIMIT])

    institutions = grouped("institution_id")
    names = dict(
        Institution.objects.filter(pk__in=[r["v"] for r in institutions if r["v"]]).values_list(
            "pk", "name"
        )
    )
    return {
        "township": grouped("township", Substr("region_code", 1, 9)),
        "institution": [{**r, "label": names.get(r["v"], "—")} for r in institutions],
        "severity": [{**r, "label": Severity(r["v"]).label} for r in grouped("severity") if r["v"]],
        "rule": grouped("rule"),
        "source": [
            {**r, "label": FindingSource(r["v"]).label} for r in grouped("source") if r["v"]
        ],
        "status": [
            {**r, "label": rules.STATUS_LABELS.get(r["v"], r["v"])} for r in grouped("status")
        ],
    }


def ordered(qs):
    return qs.annotate(severity_rank=SEVERITY_ORDER).order_by("severity_rank", "-fund_paid", "-id")


@requires("review.decide")
@require_GET
def queue(request):
    form = QueueFilter(request.GET or None)
    if request.GET and not form.is_valid():
        return render(
            request,
            "review/queue/queue.html",
            {"form": form, "error": form_error(form), "rows": [], "facets": {}},
            status=422,
        )
    params = form.cleaned_data if request.GET else {}
    base, filtered = queue_rows(request.user, params)
    paginator = Paginator(
        ordered(filtered.select_related("institution", "person")), settings.HUIMIN_PAGE_SIZE
    )
    page = paginator.get_page(params.get("page") or 1)
    rows = list(page.object_list)
    audit_listing(
        request.user,
        model_label="review.finding",
        rows=rows,
        query_description="review_queue",
        request=request,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "review/queue/queue.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "facets": facets(base),
            "query": query.urlencode(),
            "labels": rules.STATUS_LABELS,
        },
    )


# ---------------------------------------------------------------- the review page


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label="决定", choices=[(k, k) for k in workflow.DECISION_KINDS])
    amount = forms.CharField(label="追回金额", required=False, max_length=20)
    reason = forms.CharField(label="理由", required=False, max_length=rules.REASON_MAX)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="处理结果", choices=[("uphold", "维持"), ("grant", "成立")])
    reason = forms.CharField(label="处理意见", max_length=rules.REASON_MAX)


def fee_lines(finding: Finding):
    if not finding.visit_id:
        return []
    named = set(finding.lines or [])
    lines = list(
        FeeDetail.objects.filter(visit_id=finding.visit_id, cancelled=False).order_by("line_no")
    )
    for ln in lines:
        ln.flagged = ln.line_no in named
        ln.amount = (ln.quantity * ln.unit_price).quantize(rules.ZERO)
    return lines


def history(finding: Finding):
    """The patient's settlements at every institution in the 90 days up to the claim's
    last day (bounded by the person and the date: the person's own settlements)."""
    if not finding.person_id:
        return []
    end = finding.service_date
    if finding.visit_id and finding.visit and finding.visit.discharge_date:
        end = max(end, finding.visit.discharge_date)
    start = finding.service_date - datetime.timedelta(days=HISTORY_DAYS)
    rows = list(
        Settlement.objects.filter(
            person_id=finding.person_id,
            visit__visit_date__gte=start,
            visit__visit_date__lte=end,
        )
        .select_related("visit", "institution")
        .order_by("-visit__visit_date", "-id")[:100]
    )
    for s in rows:
        s.fund = s.basic_fund + s.critical_illness + s.assistance
        s.visit_type_label = VISIT_TYPES.get(s.visit_type, s.visit_type)
        s.is_this = s.pk == finding.settlement_id
    return rows


def similar_decisions(finding: Finding, codes: list[str]):
    """The last decisions on the same rule at the same institution or on the same item."""
    same = Q(finding__institution_id=finding.institution_id) if finding.institution_id else Q()
    for code in codes[:20]:
        same |= Q(finding__facts__item=code)
    return list(
        Decision.objects.filter(same, finding__rule=finding.rule)
        .exclude(finding_id=finding.pk)
        .exclude(kind="inspect")
        .select_related("finding__institution", "decided_by")
        .order_by("-decided_at", "-id")[:SIMILAR_LIMIT]
    )


def review_context(request, finding: Finding, **extra) -> dict:
    lines = fee_lines(finding)
    decisions = list(finding.decisions.select_related("decided_by"))
    appeal = finding.appeals.filter(status=AppealStatus.OPEN).first()
    confirms = [d for d in decisions if d.kind == "confirm"]
    return {
        # The confirmer is shown who may approve instead of a form that would refuse.
        "own_confirmation": bool(confirms) and confirms[-1].decided_by_id == request.user.pk,
        "deciders": {d.decided_by_id for d in decisions},
        "f": finding,
        "lines": lines,
        "history": history(finding),
        "others": list(
            Finding.objects.filter(settlement_id=finding.settlement_id)
            .exclude(pk=finding.pk)
            .order_by("id")[:50]
        )
        if finding.settlement_id
        else [],
        "similar": similar_decisions(finding, [ln.code for ln in lines if ln.flagged]),
        "decisions": decisions,
        "allowed": rules.allowed(finding.status),
        "recoverable": rules.recoverable(finding.fund_paid, workflow.recovered_by_others(finding)),
        "threshold": workflow.conf.SECOND_REVIEW_ABOVE,
        "appeal": appeal,
        "appeals": list(finding.appeals.all()),
        "appeal_documents": workflow.appeal_documents(appeal) if appeal else [],
        "key": uuid.uuid4().hex,
        "labels": rules.STATUS_LABELS,
        **extra,
    }


REVIEWER_PAGE = "review/queue/finding.html"
INSTITUTION_PAGE = "review/institution/finding.html"


def _finding(request, pk: int) -> Finding:
    return get_visible_or_404(
        request.user,
        Finding.objects.select_related("institution", "person", "visit", "settlement"),
        pk,
        "审核",
        request=request,
        object_type="review.finding",
        what="疑点",
    )


@requires("review.decide")
@require_GET
def finding_detail(request, pk: int):
    finding = _finding(request, pk)
    return render(request, REVIEWER_PAGE, review_context(request, finding))


def finding_post(request, finding: Finding, form, *, page: str, context, act, then: str):
    """What every form on a finding page shares: a bad form or a refused action renders
    the page again with the error (nothing changed); a done one says what it did (`act`
    returns the message, or None on a replay) and goes back to the finding."""
    if not form.is_valid():
        return render(request, page, context(request, finding, error=form_error(form)), status=422)
    try:
        done = act(form.cleaned_data)
    except DomainError as exc:
        finding.refresh_from_db()
        ctx = context(request, finding, error=error_of(exc))
        return render(request, page, ctx, status=exc.status)
    if done:
        messages.success(request, done)
    return redirect(then, pk=finding.pk)


@requires("review.decide")
@require_POST
def decide(request, pk: int):
    finding = _finding(request, pk)

    def act(data) -> str | None:
        decision, replayed = workflow.do_decide_once(
            request.user,
            finding.pk,
            workflow.DecisionIn(data["kind"], data["amount"], data["reason"]),
            data["idempotency_key"],
            request=request,
        )
        finding.refresh_from_db()
        if replayed:
            return None
        return f"已{decision.get_kind_display()}，疑点状态：{rules.STATUS_LABELS[finding.status]}"

    return finding_post(
        request,
        finding,
        DecisionForm(request.POST),
        page=REVIEWER_PAGE,
        context=review_context,
        act=act,
        then="review:finding",
    )


@requires("review.decide")
@require_POST
def appeal_decide(request, pk: int):
    appeal = visible_to(request.user, Appeal).filter(pk=pk).first()
    finding = _finding(request, appeal.finding_id if appeal else 0)

    def act(data) -> str:
        workflow.do_decide_appeal(
            request.user, appeal.pk, data["outcome"] == "grant", data["reason"], request=request
        )
        return "申诉已处理"

    return finding_post(
        request,
        finding,
        AppealDecisionForm(request.POST),
        page=REVIEWER_PAGE,
        context=review_context,
        act=act,
        then="review:finding",
    )


# ---------------------------------------------------------------- institution side

# What an institution sees, by status: everything about a confirmed (appealed, or
# dismissed) finding, and of one not yet decided only that its claim is under review,
# with the rule's explanation and the lines it names, so it can prepare its records —
# but no proposed amount, reviewer note or inspection plan (institution_status).
INSTITUTION_STATUSES = {
    "": None,
    "reviewing": ("open", "pending_second", "inspection"),
    "confirmed": ("confirmed",),
    "appealed": ("appealed",),
    "dismissed": ("dismissed",),
}


class InstitutionFilter(forms.Form):
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[
            ("", "全部"),
            ("reviewing", "审核中"),
            ("confirmed", "核实违规"),
            ("appealed", "申诉中"),
            ("dismissed", "排除疑点"),
        ],
    )
    page = forms.IntegerField(label="页码", required=False, min_value=1, max_value=100_000)


class AppealForm(forms.Form):
    reason = forms.CharField(label="申诉理由", max_length=workflow.APPEAL_REASON_MAX)


@requires("review.appeal")
@require_GET
def institution_findings(request):
    form = InstitutionFilter(request.GET or None)
    if request.GET and not form.is_valid():
        ctx = {"form": form, "error": form_error(form), "rows": []}
        return render(request, "review/institution/findings.html", ctx, status=422)
    params = form.cleaned_data if request.GET else {}
    qs = visible_to(request.user, Finding)
    if statuses := INSTITUTION_STATUSES.get(params.get("status") or ""):
        qs = qs.filter(status__in=statuses)
    page = Paginator(
        qs.select_related("person", "institution").order_by("-created_at", "-id"),
        settings.HUIMIN_PAGE_SIZE,
    ).get_page(params.get("page") or 1)
    rows = list(page.object_list)
    for f in rows:
        f.shown_status = rules.institution_status(f.status)
    audit_listing(
        request.user,
        model_label="review.finding",
        rows=rows,
        query_description="institution_findings",
        request=request,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "review/institution/findings.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "appeal_days": workflow.conf.APPEAL_DAYS,
        },
    )


def institution_context(request, finding: Finding, **extra) -> dict:
    decided = finding.status in ("confirmed", "appealed", "dismissed")
    recovery = getattr(finding, "recovery", None) if decided else None
    deadline = workflow.appeal_deadline(finding) if finding.status == "confirmed" else None
    return {
        "f": finding,
        "shown_status": rules.institution_status(finding.status),
        "decided": decided,
        "lines": fee_lines(finding),
        "recovery": recovery,
        "decisions": (
            [d for d in finding.decisions.all() if d.kind != "inspect"] if decided else []
        ),
        "appeals": _with_documents(list(finding.appeals.all())),
        "deadline": deadline,
        "can_appeal": deadline is not None and timezone.localdate() <= deadline,
        **extra,
    }


def _with_documents(appeals: list[Appeal]) -> list[Appeal]:
    docs = documents.owned_by(workflow.APPEAL_DOCUMENTS, [a.pk for a in appeals])
    for a in appeals:
        a.documents = docs[str(a.pk)]
    return appeals


@requires_any("review.decide", "review.appeal")
@require_GET
def appeal_document(request, pk: int, doc_id: int):
    """An appeal's evidence, to the reviewers of its region and the institution that
    filed it (visible_to scopes both); the read is audited with the patient."""
    appeal = get_visible_or_404(
        request.user,
        Appeal.objects.select_related("finding"),
        pk,
        "查看申诉材料",
        request=request,
        object_type="review.appeal",
        what="申诉",
        person_ids=lambda a: [a.finding.person_id] if a.finding.person_id else [],
    )
    doc = next((d for d in workflow.appeal_documents(appeal) if d.pk == doc_id), None)
    if doc is None:
        raise NotFound("申诉材料")
    try:
        return documents.download(doc)
    except documents.DocumentDamaged as exc:
        return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")


def _institution_finding(request, pk: int) -> Finding:
    return get_visible_or_404(
        request.user,
        Finding.objects.select_related("institution", "person", "visit"),
        pk,
        "机构查看审核疑点",
        request=request,
        object_type="review.finding",
        what="疑点",
    )


@requires("review.appeal")
@require_GET
def institution_finding(request, pk: int):
    finding = _institution_finding(request, pk)
    return render(request, INSTITUTION_PAGE, institution_context(request, finding))


@requires("review.appeal")
@require_POST
def institution_appeal(request, pk: int):
    finding = _institution_finding(request, pk)

    def act(data) -> str:
        workflow.do_file_appeal(
            request.user,
            finding.pk,
            data["reason"],
            request.FILES.getlist("documents"),
            request=request,
        )
        return "申诉已提交，将由未参与该疑点审核的人员处理"

    return finding_post(
        request,
        finding,
        AppealForm(request.POST),
        page=INSTITUTION_PAGE,
        context=institution_context,
        act=act,
        then="review:institution_finding",
    )
