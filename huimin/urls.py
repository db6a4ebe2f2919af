from django.urls import include, path

from huimin.accounts import views as accounts_views
from huimin.api import api
from huimin.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", accounts_views.login_view, name="login"),
    path("logout/", accounts_views.logout_view, name="logout"),
    path("api/v1/", api.urls),
    path("", core_views.home, name="home"),
    path("registry/", include("huimin.registry.urls")),
    path("accounts/", include("huimin.accounts.urls")),
    path("audit/", include("huimin.audit.urls")),
    path("access/", include("huimin.access.urls")),
    path("ops/", include("huimin.ops.urls")),
    path("catalog/", include("huimin.insurance.catalog.urls")),
    path("enrollment/", include("huimin.insurance.enrollment.urls")),
    path("insurance/", include("huimin.insurance.urls")),
    path("records/", include("huimin.records.urls")),
    path("mediation/", include("huimin.mediation.urls")),
]
