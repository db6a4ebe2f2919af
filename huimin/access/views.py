"""接入管理 pages: thin views over huimin.access.services.

Reads go through the services' scoped querysets (the officer's jurisdiction); every
write is one service call. Buttons are shown only to those the service would allow.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huimin.access import rules, services
from huimin.access.forms import (
    AccessFilter,
    AccessStatusForm,
    ApplicationFilter,
    ApplicationForm,
    IssueCredentialForm,
    KeysForm,
    ReasonForm,
    TerminalStatusForm,
)
from huimin.access.models import ApplicationStatus, InstitutionAccess, Terminal
from huimin.core.errors import DomainError, NotFound
from huimin.policy import requires, requires_any

EVENT_LABELS = {
    "submit": "提交申请",
    "review": "初审通过",
    "approve": "批准",
    "reject": "驳回",
    "grant": "开通接入",
    "suspend": "暂停接入",
    "resume": "恢复接入",
    "revoke": "撤销接入",
    "issue_credential": "签发凭证",
    "revoke_credential": "吊销凭证",
    "register_keys": "登记公钥",
    "disable_terminal": "停用终端",
    "enable_terminal": "启用终端",
}
STATUS_LABELS = {
    "submitted": "已提交",
    "reviewed": "已初审",
    "approved": "已批准",
    "rejected": "已驳回",
    "active": "正常",
    "suspended": "已暂停",
    "revoked": "已撤销",
    "disabled": "停用",
}


def _found(fn, *args, **kwargs):
    """A service read for a page: NotFound is the 404 page, not a 500."""
    try:
        return fn(*args, **kwargs)
    except NotFound:
        raise Http404 from None


def _fail(request, exc: DomainError) -> None:
    reasons = "；".join(exc.fields.values())
    messages.error(request, f"{exc.message}" if not reasons else reasons)


def _label_events(events):
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)
        e.from_label = STATUS_LABELS.get(e.from_status, e.from_status)
        e.to_label = STATUS_LABELS.get(e.to_status, e.to_status)
    return events


# ---------------------------------------------------------------- applications


@requires_any("access.review", "access.approve", message="您的角色不能办理机构接入")
@require_GET
def application_list(request):
    user = request.user
    form = ApplicationFilter(request.GET)
    qs = services.applications_for(user).select_related("institution", "submitted_by")
    if form.is_valid() and form.cleaned_data["status"]:
        qs = qs.filter(status=form.cleaned_data["status"])
    page = Paginator(qs.order_by("-submitted_at", "-id"), settings.HUIMIN_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "access/application_list.html",
        {"form": form, "page": page, "can_submit": services.can_review(user)},
    )


@requires("access.review", "您的角色不能提交机构接入申请")
@require_http_methods(["GET", "POST"])
def application_new(request):
    user = request.user
    form = ApplicationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            app = services.do_submit_application(
                user,
                services.ApplicationData(
                    institution_id=data["institution"],
                    kind=data["kind"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    details=data["details"],
                    ip_ranges=data["ip_ranges"].splitlines(),
                    terminals=rules.terminal_lines(data["terminals"]),
                    scopes=data["scopes"],
                ),
                request=request,
            )
        except DomainError as exc:
            for name, reason in exc.fields.items():
                form.add_error(name if name in form.fields else None, reason)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, "接入申请已提交，待另一名经办人员初审。")
            return redirect("access:application_detail", pk=app.pk)
    return render(request, "access/application_form.html", {"form": form})


@requires_any("access.review", "access.approve", message="您的角色不能办理机构接入")
@require_GET
def application_detail(request, pk: int):
    user = request.user
    app = _found(services.get_application, user, pk)
    events = _label_events(list(app.events.select_related("actor").order_by("at", "id")))
    me = user.pk
    own = app.submitted_by_id == me
    return render(
        request,
        "access/application_detail.html",
        {
            "app": app,
            "events": events,
            "scope_labels": [rules.SCOPES.get(s, s) for s in app.scopes],
            "can_review": app.status == ApplicationStatus.SUBMITTED
            and services.can_review(user)
            and not own,
            "can_approve": app.status == ApplicationStatus.REVIEWED
            and services.can_approve(user)
            and not own
            and app.reviewed_by_id != me,
            "can_reject": not own
            and (
                (app.status == ApplicationStatus.SUBMITTED and services.can_view(user))
                or (
                    app.status == ApplicationStatus.REVIEWED
                    and services.can_approve(user)
                    and app.reviewed_by_id != me
                )
            ),
            "reject_form": ReasonForm(),
        },
    )


@requires_any("access.review", "access.approve", message="您的角色不能办理机构接入")
@require_POST
def application_review(request, pk: int):
    try:
        services.do_review(request.user, pk, request=request)
        messages.success(request, "已初审通过，待安全管理员复核批准。")
    except DomainError as exc:
        _fail(request, exc)
    return redirect("access:application_detail", pk=pk)


@requires_any("access.review", "access.approve", message="您的角色不能办理机构接入")
@require_POST
def application_approve(request, pk: int):
    try:
        app = services.do_approve(request.user, pk, request=request)
        messages.success(request, "已批准，机构接入已开通。")
        return redirect("access:institution_access", pk=app.institution_id)
    except DomainError as exc:
        _fail(request, exc)
    return redirect("access:application_detail", pk=pk)


@requires_any("access.review", "access.approve", message="您的角色不能办理机构接入")
@require_POST
def application_reject(request, pk: int):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.do_reject(request.user, pk, reason, request=request)
        messages.success(request, "已驳回该申请。")
    except DomainError as exc:
        _fail(request, exc)
    return redirect("access:application_detail", pk=pk)


# ---------------------------------------------------------------- institution access


@requires_any("access.review", "access.approve", message="您的角色不能办理机构接入")
@require_GET
def access_list(request):
    user = request.user
    form = AccessFilter(request.GET)
    qs = InstitutionAccess.objects.visible_to(user).select_related("institution")
    if form.is_valid() and form.cleaned_data["status"]:
        qs = qs.filter(status=form.cleaned_data["status"])
    page = Paginator(qs.order_by("institution_id"), settings.HUIMIN_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "access/access_list.html", {"form": form, "page": page})


@requires_any("access.review", "access.approve", message="您的角色不能办理机构接入")
@require_GET
def institution_access(request, pk: int):
    user = request.user
    context = _found(services.access_overview, user, pk)
    context["events"] = _label_events(context["events"])
    context["can_manage"] = services.can_approve(user)
    context["keys_form"] = KeysForm()
    context["scope_labels"] = [
        rules.SCOPES.get(s, s) for s in (context["access"].scopes if context["access"] else [])
    ]
    return render(request, "access/institution_access.html", context)


@requires_any("access.review", "access.approve", message="您的角色不能办理机构接入")
@require_POST
def institution_status(request, pk: int):
    form = AccessStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "操作无效")
        return redirect("access:institution_access", pk=pk)
    action = form.cleaned_data["action"]
    try:
        services.do_change_access(
            request.user, pk, action, form.cleaned_data["reason"], request=request
        )
        messages.success(request, f"已{dict(form.fields['action'].choices)[action]}机构接入。")
    except DomainError as exc:
        _fail(request, exc)
    return redirect("access:institution_access", pk=pk)


@requires_any("access.review", "access.approve", message="您的角色不能办理机构接入")
@require_POST
def terminal_status(request, pk: int):
    form = TerminalStatusForm(request.POST)
    institution_id = Terminal.objects.filter(pk=pk).values_list("institution_id", flat=True).first()
    if not form.is_valid() or institution_id is None:
        raise Http404
    try:
        terminal = services.do_set_terminal_status(
            request.user,
            pk,
            form.cleaned_data["action"],
            form.cleaned_data["reason"],
            request=request,
        )
        label = "停用" if terminal.status == "disabled" else "启用"
        messages.success(request, f"已{label}终端 {terminal.device_id}。")
    except DomainError as exc:
        _fail(request, exc)
    return redirect("access:institution_access", pk=institution_id)


@requires_any("access.review", "access.approve", message="您的角色不能办理机构接入")
@require_POST
def credential_issue(request, pk: int):
    form = IssueCredentialForm(request.POST)
    rotated_from = form.cleaned_data["rotated_from"] if form.is_valid() else None
    try:
        credential = services.do_issue_credential(
            request.user, pk, rotated_from_id=rotated_from, request=request
        )
        messages.success(
            request, f"已签发客户端凭证 {credential.client_id}，请登记机构提供的公钥（JWK Set）。"
        )
    except DomainError as exc:
        _fail(request, exc)
    return redirect("access:institution_access", pk=pk)


@requires_any("access.review", "access.approve", message="您的角色不能办理机构接入")
@require_POST
def credential_keys(request, pk: int):
    user = request.user
    credential = _found(services.get_credential, user, pk)
    form = KeysForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请粘贴JWK Set，日期格式为YYYY-MM-DD")
    else:
        not_before, not_after = form.window()
        try:
            keys = services.do_register_keys(
                user,
                pk,
                form.cleaned_data["jwks"],
                not_before=not_before,
                not_after=not_after,
                request=request,
            )
            messages.success(request, f"已登记{len(keys)}个公钥。")
        except DomainError as exc:
            _fail(request, exc)
    return redirect(
        reverse("access:institution_access", args=[credential.institution_id]) + f"#credential-{pk}"
    )


@requires_any("access.review", "access.approve", message="您的角色不能办理机构接入")
@require_POST
def credential_revoke(request, pk: int):
    user = request.user
    credential = _found(services.get_credential, user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.do_revoke_credential(user, pk, reason, request=request)
        messages.success(request, f"已吊销凭证 {credential.client_id}。")
    except DomainError as exc:
        _fail(request, exc)
    return redirect("access:institution_access", pk=credential.institution_id)


@requires_any("access.review", "access.approve", message="您的角色不能办理机构接入")
@require_GET
def expiring(request):
    user = request.user
    credentials, keys = services.expiring(user)
    return render(
        request,
        "access/expiring.html",
        {
            "credentials": credentials,
            "keys": keys,
            "days": services.EXPIRY_WARNING_DAYS,
            "now": services.now(),
        },
    )
