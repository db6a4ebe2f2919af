"""Test URLconf: the project's URLs plus the enrollment pages and API.

Until huimin/urls.py and huimin/api.py mount the enrollment app, its tests mount it
here. Once they do, this adds nothing twice.
"""

from django.urls import include, path

from huimin import urls as project_urls
from huimin.api import api
from huimin.insurance.enrollment.api import router

if not any(r is router for _, r in api._routers):
    api.add_router("/enrollment/", router)

_project = [p for p in project_urls.urlpatterns if str(p.pattern) != "api/v1/"]
_mounted = any(str(p.pattern) == "enrollment/" for p in _project)

urlpatterns = [
    path("api/v1/", api.urls),
    *([] if _mounted else [path("enrollment/", include("huimin.insurance.enrollment.urls"))]),
    *_project,
]
