from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
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
