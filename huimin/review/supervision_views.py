"""Fund-supervision pages: rule sets (upload, four-eyes activation, rejection) and the
risk dashboard (institutions ranked by the month's score, their six-month trend, the
findings behind a score, a colour's institutions and claims).

Thin: parse, call rule_sets / read the scoped tables, render. Every page declares its
permission; pages naming patients audit the listing with their ids.
"""

import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huimin.core.errors import DomainError, NotFound
from huimin.core.money import r2
from huimin.policy import requires, visible_to
from huimin.policy.reads import audit_listing
from huimin.registry.models import Institution
from huimin.review import rule_sets
from huimin.review.models import (
    Colour,
    Finding,
    ReviewRuleSet,
    RiskScore,
    RuleSetStatus,
    SubjectKind,
)
from huimin.review.ruleset import COLOURS

MAX_FILE_BYTES = 256 * 1024
LIST_ROWS = 200  # a region has a few rule sets a year; 200 rows is years of history
CLAIM_ROWS = 300  # claims listed under a score or a colour (the busiest month's share)
TREND_MONTHS = 6
MONTH = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])$")


# ---------------------------------------------------------------- forms


class UploadForm(forms.Form):
    document = forms.CharField(
        label="规则集YAML（粘贴）", required=False, widget=forms.Textarea(attrs={"rows": 20})
    )
    file = forms.FileField(label="或上传YAML文件", required=False)
    note = forms.CharField(label="说明", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_FILE_BYTES:
                raise forms.ValidationError({"file": "文件过大（不超过256KB）"})
            try:
                data["document"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError({"file": "文件须为UTF-8编码的YAML文本"}) from None
        elif not (data.get("document") or "").strip():
            raise forms.ValidationError({"document": "请粘贴或上传审核规则集YAML"})
        return data


class FilterForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *RuleSetStatus.choices]
    )


def _form_error(form) -> dict:
    return {
        "message": "输入有误，请检查后重试",
        "fields": {
            (form.fields[k].label if k in form.fields else "输入"): " ".join(v)
            for k, v in form.errors.items()
        },
    }


def _error_of(exc: DomainError) -> dict:
    return {
        "message": exc.message,
        "fields": {k: v for k, v in exc.fields.items() if not k.startswith("document.")},
    }


def _problems(exc: DomainError) -> list[tuple[str, str]]:
    """Each problem of a refused document under the path of the field it concerns."""
    return [
        (key.removeprefix("document."), reason)
        for key, reason in exc.fields.items()
        if key.startswith("document.")
    ]


# ---------------------------------------------------------------- rule sets


@requires("review.rules")
@require_GET
def rule_set_list(request):
    form = FilterForm(request.GET or None)
    qs = ReviewRuleSet.objects.visible_to(request.user).select_related(
        "uploaded_by", "activated_by"
    )
    if form.is_valid():
        if form.cleaned_data.get("year"):
            qs = qs.filter(year=form.cleaned_data["year"])
        if form.cleaned_data.get("status"):
            qs = qs.filter(status=form.cleaned_data["status"])
    rows = list(qs.order_by("-year", "region_code", "-uploaded_at", "-id")[:LIST_ROWS])
    return render(
        request,
        "review/supervision/rule_set_list.html",
        {
            "form": form,
            "rule_sets": rows,
            "error": None if form.is_valid() or not request.GET else _form_error(form),
        },
        status=200 if form.is_valid() or not request.GET else 400,
    )


@requires("review.rules")
@require_http_methods(["GET", "POST"])
def rule_set_upload(request):
    template = "review/supervision/rule_set_upload.html"
    if request.method == "GET":
        return render(request, template, {"form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, template, {"form": form, "error": _form_error(form)}, status=422)
    try:
        row = rule_sets.do_upload_rule_set(
            request.user,
            form.cleaned_data["document"],
            form.cleaned_data.get("note") or "",
            request=request,
        )
    except DomainError as exc:
        context = {"form": form, "error": _error_of(exc), "problems": _problems(exc)}
        return render(request, template, context, status=exc.status)
    messages.success(request, f"规则集“{row.name}”已上传，待另一位审核规则管理人员复核启用。")
    return redirect("review:rule_set_detail", pk=row.pk)


def _render_rule_set(request, row, *, error=None, status=200):
    in_force = (
        ReviewRuleSet.objects.filter(
            region_code=row.region_code, year=row.year, status=RuleSetStatus.ACTIVE
        )
        .exclude(pk=row.pk)
        .first()
    )
    return render(
        request,
        "review/supervision/rule_set_detail.html",
        {
            "rule_set": row,
            "in_force": in_force,
            "is_draft": row.status == RuleSetStatus.DRAFT,
            "is_uploader": row.uploaded_by_id == request.user.pk,
            "error": error,
        },
        status=status,
    )


def _rule_set_or_404(request, pk):
    try:
        return rule_sets.get_rule_set(request.user, pk)
    except NotFound:
        raise NotFound("审核规则集") from None


@requires("review.rules")
@require_GET
def rule_set_detail(request, pk):
    return _render_rule_set(request, _rule_set_or_404(request, pk))


@requires("review.rules")
@require_POST
def rule_set_activate(request, pk):
    row = _rule_set_or_404(request, pk)
    try:
        rule_sets.do_activate_rule_set(request.user, row.pk, request=request)
    except DomainError as exc:
        row = _rule_set_or_404(request, pk)
        return _render_rule_set(request, row, error=_error_of(exc), status=exc.status)
    messages.success(request, "规则集已启用；同统筹区同年度原生效规则集已替换。")
    return redirect("review:rule_set_detail", pk=row.pk)


@requires("review.rules")
@require_POST
def rule_set_reject(request, pk):
    row = _rule_set_or_404(request, pk)
    try:
        rule_sets.do_reject_rule_set(
            request.user, row.pk, request.POST.get("reason", ""), request=request
        )
    except DomainError as exc:
        row = _rule_set_or_404(request, pk)
        return _render_rule_set(request, row, error=_error_of(exc), status=exc.status)
    messages.success(request, "规则集已退回。")
    return redirect("review:rule_set_detail", pk=row.pk)


# ---------------------------------------------------------------- risk dashboard


def _months_back(month: str, n: int) -> list[str]:
    """`n` months ending with `month`, oldest first."""
    year, mon = int(month[:4]), int(month[5:])
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{mon:02d}")
        mon -= 1
        if mon == 0:
            year, mon = year - 1, 12
    return out[::-1]


def _month_of(request, scores) -> tuple[str, dict | None]:
    """The month asked for, else the latest month with scores in scope, else this one."""
    raw = request.GET.get("month", "").strip()
    if raw:
        if MONTH.match(raw):
            return raw, None
        return timezone.localdate().strftime("%Y-%m"), {
            "message": "月份格式有误",
            "fields": {"月份": "应为 YYYY-MM，如 2026-03"},
        }
    latest = scores.order_by("-month").values_list("month", flat=True).first()
    return latest or timezone.localdate().strftime("%Y-%m"), None


def _institution_scores(user):
    return visible_to(user, RiskScore).filter(subject_kind=SubjectKind.INSTITUTION)


def _trend_bars(trend: dict[str, RiskScore], months: list[str], top: Decimal) -> list[dict]:
    bars = []
    for i, month in enumerate(months):
        score = trend.get(month)
        value = score.score if score else Decimal(0)
        height = int(value * 24 / top) if top else 0
        bars.append(
            {
                "month": month,
                "score": value,
                "colour": score.colour if score else "",
                "x": i * 8,
                "height": max(height, 1 if score else 0),
                "y": 24 - max(height, 1 if score else 0),
            }
        )
    return bars


@requires("review.read")
@require_GET
def dashboard(request):
    scores = _institution_scores(request.user)
    month, error = _month_of(request, scores)
    ranked = list(
        scores.filter(month=month)
        .select_related("institution")
        .order_by("-score", "subject")[:LIST_ROWS]
    )
    months = _months_back(month, TREND_MONTHS)
    trend: dict[int | None, dict[str, RiskScore]] = {}
    ids = [s.institution_id for s in ranked if s.institution_id]
    for score in scores.filter(month__in=months, institution_id__in=ids).only(
        "institution_id", "month", "score", "colour"
    ):
        trend.setdefault(score.institution_id, {})[score.month] = score
    top = max((s.score for t in trend.values() for s in t.values()), default=Decimal(0))
    rows = [
        {"score": s, "bars": _trend_bars(trend.get(s.institution_id, {}), months, top)}
        for s in ranked
    ]
    counts = {c: 0 for c in COLOURS}
    for s in ranked:
        if s.colour in counts:
            counts[s.colour] += 1
    return render(
        request,
        "review/supervision/dashboard.html",
        {
            "month": month,
            "months": months,
            "rows": rows,
            "colours": [(c, Colour(c).label, counts[c]) for c in COLOURS],
            "error": error,
        },
        status=400 if error else 200,
    )


def _check_month(month: str) -> None:
    if not MONTH.match(month):
        raise NotFound("月份")


def _claims_shown(request, findings: list[Finding], description: str, region_code="") -> None:
    audit_listing(
        request.user,
        model_label="review.finding",
        rows=findings,
        person_ids=sorted({f.person_id for f in findings if f.person_id}),
        query_description=description,
        fields=["person.name", "settlement", "explanation"],
        request=request,
    )


def _finding_rows(qs):
    return list(
        qs.select_related("person", "settlement")
        .only(
            "id",
            "rule",
            "name",
            "severity",
            "explanation",
            "status",
            "service_date",
            "fund_paid",
            "settlement_id",
            "settlement__total",
            "person_id",
            "person__name",
            "institution_id",
            "visit_id",
        )
        .order_by("settlement_id", "rule", "id")[:CLAIM_ROWS]
    )


@requires("review.read")
@require_GET
def institution_month(request, institution_id: int, month: str):
    """The findings behind an institution's score for a month: by rule, then the claims."""
    _check_month(month)
    score = (
        _institution_scores(request.user)
        .filter(institution_id=institution_id, month=month)
        .select_related("institution")
        .first()
    )
    findings_qs = visible_to(request.user, Finding).filter(
        institution_id=institution_id, month=month
    )
    rule = request.GET.get("rule", "").strip()
    by_rule = list(
        findings_qs.values("rule", "name", "severity")
        .annotate(
            findings=Count("id"),
            claims=Count("settlement_id", distinct=True),
            fund_paid=Sum("fund_paid"),
        )
        .order_by("-findings", "rule")
    )
    for r in by_rule:  # SQLite sums decimals as floats' text: back to yuan and fen
        r["fund_paid"] = r2(Decimal(str(r["fund_paid"] or 0)))
    if score is None and not by_rule:
        raise NotFound("该机构该月的风险评分")
    if rule:
        findings_qs = findings_qs.filter(rule=rule)
    findings = _finding_rows(findings_qs)
    institution = score.institution if score else None
    if institution is None:
        institution = Institution.objects.only("name", "insurance_code").get(pk=institution_id)
    _claims_shown(request, findings, f"风险预警 {institution.name} {month} {rule}".strip())
    return render(
        request,
        "review/supervision/institution_month.html",
        {
            "score": score,
            "institution": institution,
            "month": month,
            "by_rule": by_rule,
            "rule": rule,
            "findings": findings,
            "truncated": len(findings) == CLAIM_ROWS,
        },
    )


@requires("review.read")
@require_GET
def colour_institutions(request, colour: str):
    """A colour's institutions in a month and the claims behind their scores."""
    if colour not in COLOURS:
        raise NotFound("预警颜色")
    scores = _institution_scores(request.user)
    month, error = _month_of(request, scores)
    if error:
        raise NotFound("月份")
    ranked = list(
        scores.filter(month=month, colour=colour)
        .select_related("institution")
        .order_by("-score", "subject")[:LIST_ROWS]
    )
    ids = [s.institution_id for s in ranked if s.institution_id]
    findings = _finding_rows(
        visible_to(request.user, Finding).filter(institution_id__in=ids, month=month)
    )
    by_institution: dict[int, list[Finding]] = {}
    for f in findings:
        by_institution.setdefault(f.institution_id, []).append(f)
    _claims_shown(request, findings, f"风险预警 {Colour(colour).label} {month}")
    return render(
        request,
        "review/supervision/colour.html",
        {
            "colour": colour,
            "colour_label": Colour(colour).label,
            "month": month,
            "groups": [(s, by_institution.get(s.institution_id, [])) for s in ranked],
            "truncated": len(findings) == CLAIM_ROWS,
        },
    )
