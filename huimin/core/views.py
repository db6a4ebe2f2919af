from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


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


@login_required
def home(request):
    return render(request, "home.html")
