"""Login, second factor, logout, password change and "my account": thin views over services.

The login view calls `authenticate` with the request so django-axes counts failures per
(username, address); every attempt becomes a LoginEvent and an audit record.
"""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.password_validation import get_default_password_validators
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from huimin.accounts import audit, conf, services
from huimin.accounts.forms import LoginForm, PasswordChangeForm, TokenForm, apply_error
from huimin.accounts.models import LoginOutcome
from huimin.accounts.validators import ComplexityValidator
from huimin.core import ratelimit
from huimin.core.errors import DomainError
from huimin.policy import logged_in, public

SECOND_FACTOR_TRIES = 5
_FAILS = "huimin_2fa_failures"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out address sees (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked.html",
        {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


@public("登录页：未登录者在此登录")
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST":
        # Password spraying: many names from one address, each under axes' lockout.
        ratelimit.refuse_if_failing(request)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if getattr(request, "axes_locked_out", False):
            services.record_login(request, username, LoginOutcome.LOCKED)
            return lockout_response(request)
        if user is None:
            ratelimit.auth_failure(request)
            services.record_login(request, username, LoginOutcome.FAILURE)
            # One message for a wrong name, a wrong password and a disabled account.
            form.add_error(None, "用户名或密码错误")
        else:
            auth_login(request, user)
            request.session.pop(_FAILS, None)
            if services.needs_second_factor(user):
                # Logged in, but the gate lets this session reach nothing else until
                # the code is given; the login counts as successful only then.
                step = "accounts:second_factor"
                if services.confirmed_device(user) is None:
                    step = "accounts:enrol_second_factor"
                return _redirect_next(reverse(step), _next_url(request))
            services.record_login(request, username, LoginOutcome.SUCCESS, user=user)
            return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


def _redirect_next(url: str, next_url: str):
    return redirect(f"{url}?{urlencode({'next': next_url})}")


@public("退出：未登录时只回到登录页")
@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit.record(
            action="logout",
            object_type="auth.user",
            object_id=str(request.user.pk),
            actor=request.user,
            request=request,
        )
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _second_factor_failed(request):
    """Count a wrong code; after five the session is ended and the user starts over."""
    user = request.user
    services.record_login(
        request, user.get_username(), LoginOutcome.SECOND_FACTOR_FAILED, user=user
    )
    fails = request.session.get(_FAILS, 0) + 1
    request.session[_FAILS] = fails
    if fails >= SECOND_FACTOR_TRIES:
        auth_logout(request)
        messages.error(request, "动态口令错误次数过多，请重新登录")
        return redirect(settings.LOGIN_URL)
    return None


def _second_factor_done(request, device):
    otp_login(request, device)
    # A new session id for the verified session: one seen before this step (shared
    # PC, a leaked cookie) must not become a fully authenticated session.
    request.session.cycle_key()
    request.session.pop(_FAILS, None)
    user = request.user
    services.record_login(request, user.get_username(), LoginOutcome.SUCCESS, user=user)
    return redirect(_next_url(request))


@logged_in
@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request):
    user = request.user
    if not services.needs_second_factor(user) or user.is_verified():
        return redirect(_next_url(request))
    device = services.confirmed_device(user)
    if device is None:
        return _redirect_next(reverse("accounts:enrol_second_factor"), _next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.second_factor_wait(device):
            form.add_error("code", "尝试过于频繁，请稍候几秒再试")
        else:
            verified = services.verify_second_factor(user, form.cleaned_data["code"])
            if verified is not None:
                return _second_factor_done(request, verified)
            ended = _second_factor_failed(request)
            if ended:
                return ended
            form.add_error("code", "动态口令不正确")
    context = {"form": form, "next": _next_url(request)}
    return render(request, "accounts/second_factor.html", context)


@logged_in
@never_cache
@require_http_methods(["GET", "POST"])
def enrol_second_factor(request):
    user = request.user
    if not services.needs_second_factor(user) or user.is_verified():
        return redirect(_next_url(request))
    device = services.enrolment_device(user)
    if device is None:
        # A confirmed device exists: a new one only after an administrator's reset.
        return _redirect_next(reverse("accounts:second_factor"), _next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.second_factor_wait(device):
            form.add_error("code", "尝试过于频繁，请稍候几秒再试")
        else:
            confirmed = services.do_confirm_enrolment(
                user, form.cleaned_data["code"], request=request
            )
            if confirmed is not None:
                return _second_factor_done(request, confirmed)
            ended = _second_factor_failed(request)
            if ended:
                return ended
            form.add_error("code", "动态口令不正确，请核对手机时间后重试")
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr_svg": qr.svg_inline(scale=4, title="动态口令二维码"),
            "secret": services.base32_secret(device),
        },
    )


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@logged_in
@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request):
    user = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_change_password(
                user,
                form.cleaned_data["old_password"],
                form.cleaned_data["new_password1"],
                form.cleaned_data["new_password2"],
                request=request,
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改")
            return redirect(_next_url(request) if request.POST.get("next") else "accounts:me")
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "forced": services.must_change_password(user),
            "max_age": conf.password_max_age_days(),
            "password_rule": _complexity_help(),
        },
    )


def _complexity_help() -> str:
    """The strength rule as configured (the settings' OPTIONS), in the user's words."""
    for validator in get_default_password_validators():
        if isinstance(validator, ComplexityValidator):
            return validator.get_help_text()
    return ""


@logged_in
@require_http_methods(["GET"])
def me(request):
    user = request.user
    staff = getattr(user, "staff", None)
    return render(
        request,
        "accounts/me.html",
        {
            "staff": staff,
            "events": services.login_history(user),
            "password_changed_at": services.password_changed_at(user),
            "password_expires_at": services.password_expires_at(user),
            "second_factor": services.needs_second_factor(user),
            "has_device": services.confirmed_device(user) is not None,
        },
    )
