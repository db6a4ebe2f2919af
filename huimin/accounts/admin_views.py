"""Accounts administration (system administrator) and the role × permission matrix
(security administrator). Thin views: the services check permissions and rules."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from huimin.accounts import administration, services
from huimin.accounts.forms import StaffCreateForm, StaffEditForm, apply_error
from huimin.core.errors import DomainError, NotFound, PermissionDenied
from huimin.policy import ADMIN_ROLES, PERMISSIONS
from huimin.registry.models import Role

User = get_user_model()
PAGE = 100


def _require(check, actor):
    try:
        return check(actor)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None


@login_required
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


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def staff_create(request):
    prefix = _require(administration.check_manage_accounts, request.user)
    form = StaffCreateForm(
        request.POST or None, prefix_code=prefix, initial={"jurisdiction": prefix}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user, password = administration.do_create_staff(
                request.user, _data(form), request=request
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _show_password(request, user, password, "账号已创建")
    return render(request, "accounts/staff_form.html", {"form": form})


def _target(request, pk):
    try:
        return administration.managed_user(request.user, pk)
    except NotFound:
        raise Http404("账号不存在或不在您的管理范围内") from None


@login_required
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
        try:
            administration.do_update_staff(
                request.user, pk, _data(form, target.username), request=request
            )
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


@login_required
@require_POST
def staff_disable(request, pk: int):
    return _action(
        request,
        pk,
        lambda a, p, **kw: administration.do_set_active(a, p, False, **kw),
        "账号已停用",
    )


@login_required
@require_POST
def staff_enable(request, pk: int):
    return _action(
        request, pk, lambda a, p, **kw: administration.do_set_active(a, p, True, **kw), "账号已启用"
    )


@login_required
@require_POST
def staff_reset_second_factor(request, pk: int):
    return _action(
        request, pk, administration.do_reset_second_factor, "动态口令已重置，下次登录时重新绑定"
    )


@login_required
@require_POST
def staff_unlock(request, pk: int):
    return _action(request, pk, administration.do_unlock, "已解除该账号的登录锁定")


@login_required
@never_cache
@require_POST
def staff_reset_password(request, pk: int):
    _require(administration.check_manage_accounts, request.user)
    target = _target(request, pk)
    try:
        password = administration.do_reset_password(request.user, pk, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:staff_detail", pk=pk)
    return _show_password(request, target, password, "密码已重置")


# ---------------------------------------------------------------- roles


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def roles(request):
    _require(administration.check_manage_roles, request.user)
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
