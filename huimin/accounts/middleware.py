"""The gate every logged-in request passes: second factor first, then a current password.

A privileged session that has not given its TOTP code reaches only the login, second-
factor and logout pages; a user whose password expired (or was reset by an administrator)
reaches only the change-password and logout pages. API requests get a 403 in the
contract's JSON shape instead of a redirect.
"""

import json
import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from huimin.accounts import services

SECOND_FACTOR_PATHS = ("/accounts/2fa/",)
ALWAYS_OPEN = ("/static/", "/healthz", "/login/", "/logout/")


def _json_refusal(code: str, message: str) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "fields": {}}}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=403,
        content_type="application/json; charset=utf-8",
    )


class AccountGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._gate(request)
        return response if response is not None else self.get_response(request)

    def _gate(self, request):
        user = getattr(request, "user", None)
        path = request.path
        if user is None or not user.is_authenticated or path.startswith(ALWAYS_OPEN):
            return None
        is_api = path.startswith("/api/")
        if services.needs_second_factor(user) and not user.is_verified():
            if path.startswith(SECOND_FACTOR_PATHS):
                return None
            if is_api:
                return _json_refusal("second_factor_required", "请先在登录页完成动态口令验证")
            target = "accounts:second_factor"
            if services.confirmed_device(user) is None:
                target = "accounts:enrol_second_factor"
            return _redirect_with_next(reverse(target), request)
        change_url = reverse("accounts:password_change")
        if path == change_url or path.startswith(SECOND_FACTOR_PATHS):
            return None
        if _password_must_change(request, user):
            if is_api:
                return _json_refusal("password_expired", "密码已过期或须修改，请先修改密码")
            return _redirect_with_next(change_url, request)
        return None


# When this session's password was last found good, and until when it stays good. A
# reset by an administrator changes the hash, which ends the session anyway, so only the
# password's age can run out meanwhile; the gate then costs no query per request.
_CHECKED_UNTIL = "huimin_pw_checked_until"


def _password_must_change(request, user) -> bool:
    now = time.time()
    if request.session.get(_CHECKED_UNTIL, 0) > now:
        return False
    must_change, expires_at = services.password_status(user)
    if must_change:
        request.session.pop(_CHECKED_UNTIL, None)
        return True
    request.session[_CHECKED_UNTIL] = expires_at.timestamp()
    return False


def _redirect_with_next(url: str, request):
    if request.method == "GET" and not request.headers.get("HX-Request"):
        url += "?" + urlencode({"next": request.get_full_path()})
    response = redirect(url)
    if request.headers.get("HX-Request"):
        # htmx would swap the target page into a fragment; send the whole window there.
        response["HX-Redirect"] = url
    return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every answer; HSTS when the public URL is https.

    Django's SecurityMiddleware sends HSTS only on requests it sees as secure, but TLS
    usually ends at the reverse proxy; the configured public URL says what browsers use.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "HUIMIN_CSP", "")
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
        seconds = getattr(settings, "HUIMIN_HSTS_SECONDS", 0)
        if getattr(settings, "HUIMIN_TLS", False) and seconds:
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={seconds}; includeSubDomains"
            )
        return response
