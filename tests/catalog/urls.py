"""Test URLs: the catalog's pages and API mounted in front of the project's own.

Until huimin/urls.py and huimin/api.py mount the catalog, tests reach it here; once they
do, these mounts answer the same paths first with the same views and error handlers.
"""

from django.urls import include, path
from ninja import NinjaAPI
from ninja.security import django_auth

from huimin.api import api
from huimin.insurance.catalog.api import router
from huimin.urls import urlpatterns as project_urls

test_api = NinjaAPI(
    title="catalog test",
    auth=django_auth,
    urls_namespace="catalog_test_api",
    # Its own schema (for tests/catalog/test_api_fuzz.py), apart from the project's.
    openapi_url="/catalog-test-openapi.json",
    docs_url=None,
)
# The project's error contract: the same handlers as /api/v1/.
test_api._exception_handlers.update(api._exception_handlers)
test_api.add_router("/catalog/", router)

urlpatterns = [
    path("api/v1/", test_api.urls),
    path("catalog/", include("huimin.insurance.catalog.urls")),
    *project_urls,
]
