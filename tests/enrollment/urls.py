"""Test URLconf: the project's URLs plus the enrollment pages and API.

Until huimin/urls.py and huimin/api.py mount the enrollment app, its tests mount it
here: the router on a second NinjaAPI at the same path, with the project API's error
handlers, so responses have the contract's shape. Once mounted for real, this adds
nothing.
"""

from django.urls import include, path
from ninja import NinjaAPI
from ninja.security import django_auth

from huimin import urls as project_urls
from huimin.api import api
from huimin.insurance.enrollment.api import router

_api_mounted = any(r is router for _, r in api._routers)
_pages_mounted = any(str(p.pattern) == "enrollment/" for p in project_urls.urlpatterns)

extra = []
if not _api_mounted:
    test_api = NinjaAPI(
        title="Huimin enrollment (test mount)",
        version="1-enrollment-test",
        auth=django_auth,
        urls_namespace="enrollment_test_api",
    )
    test_api._exception_handlers.update(api._exception_handlers)
    test_api.add_router("/", router)
    extra.append(path("api/v1/enrollment/", test_api.urls))
if not _pages_mounted:
    extra.append(path("enrollment/", include("huimin.insurance.enrollment.urls")))

urlpatterns = [*extra, *project_urls.urlpatterns]
