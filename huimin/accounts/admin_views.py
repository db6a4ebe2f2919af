"""Accounts administration (system administrator) and the role × permission matrix
(security administrator). Thin views: the services check permissions and rules."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from huimin.accounts import administration, services
from huimin.accounts.forms import (
    AccountDecisionForm,
    AccountRequestReasonForm,
    StaffCreateForm,
    StaffEditForm,
    apply_error,
)
from huimin.accounts.models import RequestKind, RequestStatus
from huimin.core.errors import DomainError, NotFound, PermissionDenied
from huimin.policy import ADMIN_ROLES, PERMISSIONS, requires, requires_any
from huimin.registry.models import Role

User = get_user_model()
PAGE = 100


def _require(check, actor):
    try:
        return check(actor)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None


@requires("accounts.manage", "只有系统管理员可以管理账号")
@require_http_methods(["GET"])
def staff_list(request):
    _require(administration.check_manage_accounts, request.user)
    qs = administration.managed_accounts(request.user)
    q = request.GET.get("q", "").strip()[:30]
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(username__startswith=q.lower()) | Q(first_name__contains=q))
    if role in Role.values:
        qs = qs.filter(staff__role=role)
    if status in {"active", "disabled"}:
        qs = qs.filter(is_active=status == "active")
    after = request.GET.get("after", "")
    if after:
        qs = qs.filter(username__gt=after)
    rows = list(qs[: PAGE + 1])
    return render(
        request,
        "accounts/staff_list.html",
        {
            "rows": rows[:PAGE],
            "next_after": rows[PAGE - 1].username if len(rows) > PAGE else "",
            "q": q,
            "role": role,
            "status": status,
            "roles": Role.choices,
        },
    )


def _data(form, username="") -> administration.StaffData:
    c = form.cleaned_data
    return administration.StaffData(
        username=c.get("username", username),
        name=c["name"],
        role=c["role"],
        jurisdiction=c["jurisdiction"],
        institution_id=c.get("institution"),
    )


def _show_password(request, user, password, heading):
    response = render(
        request,
        "accounts/temp_password.html",
        {"target": user, "password": password, "heading": heading},
    )
    response["Cache-Control"] = "no-store"  # shown once; never from a cache
    return response


@requires("accounts.manage", "只有系统管理员可以管理账号")
@never_cache
@require_http_methods(["GET", "POST"])
def staff_create(request):
    prefix = _require(administration.check_manage_accounts, request.user)
    form = StaffCreateForm(
        request.POST or None, prefix_code=prefix, initial={"jurisdiction": prefix}
    )
    if request.method == "POST" and form.is_valid():
        data = _data(form)
        try:
            if administration.create_needs_request(data):
                req = administration.do_request(
                    request.user,
                    RequestKind.CREATE,
                    data=data,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
                return _filed(request, req)
            user, password = administration.do_create_staff(request.user, data, request=request)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _show_password(request, user, password, "账号已创建")
    return render(request, "accounts/staff_form.html", {"form": form})


def _filed(request, req):
    messages.success(request, f"已提交申请#{req.pk}，{administration.FOUR_EYES_REASON}")
    return redirect("accounts:request_detail", pk=req.pk)


def _target(request, pk):
    try:
        return administration.managed_user(request.user, pk)
    except NotFound:
        raise Http404("账号不存在或不在您的管理范围内") from None


@requires("accounts.manage", "只有系统管理员可以管理账号")
@never_cache
@require_http_methods(["GET", "POST"])
def staff_detail(request, pk: int):
    prefix = _require(administration.check_manage_accounts, request.user)
    target = _target(request, pk)
    staff = target.staff
    initial = {
        "name": target.first_name,
        "role": staff.role,
        "jurisdiction": staff.jurisdiction,
        "institution": staff.institution_id,
    }
    form = StaffEditForm(request.POST or None, prefix_code=prefix, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = _data(form, target.username)
        try:
            # One's own account is never a request (do_update_staff says why).
            own = pk == request.user.pk
            if not own and administration.update_needs_request(request.user, pk, data):
                req = administration.do_request(
                    request.user,
                    RequestKind.CHANGE,
                    data=data,
                    user_id=pk,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
                return _filed(request, req)
            administration.do_update_staff(request.user, pk, data, request=request)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, "账号信息已保存")
            return redirect("accounts:staff_detail", pk=pk)
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "form": form,
            "target": target,
            "staff": staff,
            "has_device": services.confirmed_device(target) is not None,
            "is_self": target.pk == request.user.pk,
            "privileged": administration.is_privileged_place(staff.role, staff.jurisdiction),
        },
    )


def _action(request, pk, fn, done: str):
    _require(administration.check_manage_accounts, request.user)
    try:
        fn(request.user, pk, request=request)
    except NotFound:
        raise Http404("账号不存在或不在您的管理范围内") from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("accounts:staff_detail", pk=pk)


@requires("accounts.manage", "只有系统管理员可以管理账号")
@require_POST
def staff_disable(request, pk: int):
    return _action(
        request,
        pk,
        lambda a, p, **kw: administration.do_set_active(a, p, False, **kw),
        "账号已停用",
    )


@requires("accounts.manage", "只有系统管理员可以管理账号")
@require_POST
def staff_enable(request, pk: int):
    return _action(
        request, pk, lambda a, p, **kw: administration.do_set_active(a, p, True, **kw), "账号已启用"
    )


def _reset_request(request, pk: int, kind: str):
    """A privileged account's reset: filed for a second administrator, or None."""
    if pk == request.user.pk:
        return None  # one's own: the reset service refuses it with the reason
    try:
        if not administration.reset_needs_request(request.user, pk):
            return None
        form = AccountRequestReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        req = administration.do_request(
            request.user, kind, user_id=pk, reason=reason, request=request
        )
    except NotFound:
        raise Http404("账号不存在或不在您的管理范围内") from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:staff_detail", pk=pk)
    return _filed(request, req)


@requires("accounts.manage", "只有系统管理员可以管理账号")
@require_POST
def staff_reset_second_factor(request, pk: int):
    _require(administration.check_manage_accounts, request.user)
    filed = _reset_request(request, pk, RequestKind.SECOND_FACTOR)
    if filed is not None:
        return filed
    return _action(
        request, pk, administration.do_reset_second_factor, "动态口令已重置，下次登录时重新绑定"
    )


@requires("accounts.manage", "只有系统管理员可以管理账号")
@require_POST
def staff_unlock(request, pk: int):
    return _action(request, pk, administration.do_unlock, "已解除该账号的登录锁定")


@requires("accounts.manage", "只有系统管理员可以管理账号")
@never_cache
@require_POST
def staff_reset_password(request, pk: int):
    _require(administration.check_manage_accounts, request.user)
    target = _target(request, pk)
    filed = _reset_request(request, pk, RequestKind.PASSWORD)
    if filed is not None:
        return filed
    try:
        password = administration.do_reset_password(request.user, pk, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:staff_detail", pk=pk)
    return _show_password(request, target, password, "密码已重置")


# ---------------------------------------------------------------- privileged-account requests


@requires_any("accounts.manage", "roles.manage", message="无权查看账号申请")
@require_http_methods(["GET"])
def request_list(request):
    try:
        qs = administration.visible_requests(request.user)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    status = request.GET.get("status", RequestStatus.PENDING)
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "accounts/request_list.html",
        {
            "rows": list(qs[:PAGE]),
            "status": status,
            "statuses": RequestStatus.choices,
            "may_decide": services.can(request.user, "roles.manage"),
        },
    )


def _request_page(request, req, form, status=200):
    user = request.user
    may_decide = (
        services.can(user, "roles.manage")
        and req.status == RequestStatus.PENDING
        and user.pk not in (req.requested_by_id, req.target_id)
    )
    return render(
        request,
        "accounts/request_detail.html",
        {
            "req": req,
            "form": form,
            "may_decide": may_decide,
            "may_withdraw": req.status == RequestStatus.PENDING and req.requested_by_id == user.pk,
            "is_author": req.requested_by_id == user.pk,
            "is_subject": req.target_id == user.pk,
        },
        status=status,
    )


@requires_any("accounts.manage", "roles.manage", message="无权查看账号申请")
@never_cache
@require_http_methods(["GET", "POST"])
def request_detail(request, pk: int):
    try:
        req = administration.get_request(request.user, pk)
    except NotFound:
        raise Http404("申请不存在或不在您的管理范围内") from None
    form = AccountDecisionForm(request.POST or None)
    if request.method == "GET":
        return _request_page(request, req, form)
    if not form.is_valid():
        return _request_page(request, req, form, status=422)
    try:
        req, account, password = administration.do_decide(
            request.user,
            pk,
            form.cleaned_data["decision"] == "approve",
            form.cleaned_data["note"],
            request=request,
        )
    except PermissionDenied as exc:
        # Refused for who the approver is (their own request, their own account): 403,
        # with the reason on the page.
        apply_error(form, exc)
        return _request_page(request, req, form, status=403)
    except DomainError as exc:
        apply_error(form, exc)
        return _request_page(request, req, form, status=exc.status)
    if password is not None:
        heading = "账号已创建" if req.kind == RequestKind.CREATE else "密码已重置"
        response = render(
            request,
            "accounts/temp_password.html",
            {"target": account, "password": password, "heading": heading, "req": req},
        )
        response["Cache-Control"] = "no-store"  # shown once; never from a cache
        return response
    messages.success(request, f"申请#{req.pk}{req.get_status_display()}")
    return redirect("accounts:request_detail", pk=pk)


@requires_any("accounts.manage", "roles.manage", message="无权查看账号申请")
@require_POST
def request_withdraw(request, pk: int):
    try:
        administration.do_withdraw(request.user, pk, request=request)
    except NotFound:
        raise Http404("申请不存在或不是您提交的") from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "申请已撤回")
    return redirect("accounts:request_detail", pk=pk)


# ---------------------------------------------------------------- roles


@requires("roles.manage", "只有安全管理员可以管理角色权限")
@never_cache
@require_http_methods(["GET", "POST"])
def roles(request):
    errors = {}
    if request.method == "POST":
        wanted = set()
        for value in request.POST.getlist("grant"):
            role, _, perm = value.partition(":")
            wanted.add((role, perm))
        try:
            result = administration.do_set_role_permissions(request.user, wanted, request=request)
        except DomainError as exc:
            errors = exc.fields or {"": exc.message}
            held = wanted  # show what was asked, with the refused cells marked
        else:
            n = len(result["granted"]) + len(result["revoked"])
            messages.success(request, f"已保存，变更 {n} 项" if n else "没有变更")
            return redirect("accounts:roles")
    else:
        held = administration.role_matrix()
    rows = []
    for perm, label in PERMISSIONS.items():
        cells = []
        for role, role_label in Role.choices:
            key = f"{role}:{perm}"
            cells.append(
                {
                    "key": key,
                    "checked": (role, perm) in held,
                    "error": errors.get(key, ""),
                    "title": f"{role_label} · {label}",
                }
            )
        rows.append({"perm": perm, "label": label, "cells": cells})
    return render(
        request,
        "accounts/roles.html",
        {
            "rows": rows,
            "roles": Role.choices,
            "admin_roles": ADMIN_ROLES,
            "errors": errors,
        },
        status=422 if errors else 200,
    )
