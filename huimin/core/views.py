import json
import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import defaults
from django.views.decorators.http import require_GET

from huimin.core.errors import CSRF_FAILED, csrf_reason


@require_GET
def healthz(request):
    """Database reachability and the app's version; 503 when the database is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except Exception as exc:  # any driver error means unreachable
        db = f"error: {type(exc).__name__}"
    status = 200 if db == "ok" else 503
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "degraded",
            "database": db,
            "database_vendor": connection.vendor,
            "version": settings.VERSION,
        },
        status=status,
    )


def home(request):
    # Declared logged_in where it is routed (huimin/urls.py): core imports no app.
    return render(request, "home.html")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a refused form or API call says why in Chinese, with the
    contract's code — JSON under /api/, a page elsewhere (not Django's English page).

    ninja checks the session API's CSRF itself and answers its own English 403, after
    calling this view; the mark left on the request lets huimin/api.py answer alike."""
    message = csrf_reason(reason)
    request.huimin_csrf_failed = message
    if request.path.startswith("/api/"):
        body = {"error": {"code": CSRF_FAILED, "message": message, "fields": {}}}
        return JsonResponse(body, status=403, json_dumps_params={"ensure_ascii": False})
    return render(request, "403_csrf.html", {"reason": message}, status=403)


log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def server_error(request):
    """handler500, for the people's and the machines' middleware chains alike.

    A database that is down, restarting or refusing for a moment (PostgreSQL restarted
    or failed over, a dropped connection, SQLite's lock timeout, a deadlock victim) is a
    503 with Retry-After, not a 500: the request's transaction rolled back, nothing was
    written, and a HIS or a browser may simply try again — with the same
    Idempotency-Key for a write. Whatever else is a 500 (the traceback is in the log)."""
    exc = sys.exc_info()[1]
    if not isinstance(exc, OperationalError | InterfaceError):
        return defaults.server_error(request)
    log.error("database unavailable at %s: %s", request.path, exc)
    message = "数据库暂时不可用，本次请求未作任何更改，请稍后重试"
    if request.path.startswith("/api/"):
        body = {"error": {"code": "database_unavailable", "message": message, "fields": {}}}
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False),
            status=503,
            content_type="application/json; charset=utf-8",
        )
    else:
        # No request context: its processors would ask the database for the user.
        body = render_to_string("503.html", {"reason": message})
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
