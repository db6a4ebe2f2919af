from django.urls import include, path

from huimin.accounts import views as accounts_views
from huimin.api import api
from huimin.core import views as core_views
from huimin.policy import logged_in, public

# A database that is down for a moment answers 503 with Retry-After (core/views.py).
handler500 = "huimin.core.views.server_error"

urlpatterns = [
    path(
        "healthz",
        public("负载均衡与监控探测，只报数据库是否可达")(core_views.healthz),
        name="healthz",
    ),
    path("login/", accounts_views.login_view, name="login"),
    path("logout/", accounts_views.logout_view, name="logout"),
    path("api/v1/", api.urls),
    path("", logged_in(core_views.home), name="home"),
    path("registry/", include("huimin.registry.urls")),
    path("accounts/", include("huimin.accounts.urls")),
    path("audit/", include("huimin.oversight.urls")),
    path("access/", include("huimin.access.urls")),
    path("ops/", include("huimin.ops.urls")),
    path("catalog/", include("huimin.insurance.catalog.urls")),
    path("enrollment/", include("huimin.insurance.enrollment.urls")),
    path("insurance/", include("huimin.insurance.urls")),
    path("records/", include("huimin.records.urls")),
    path("review/", include("huimin.review.urls")),
    path("mediation/", include("huimin.mediation.urls")),
    path("reports/", include("huimin.reports.urls")),
    path("assessment/", include("huimin.assessment.urls")),
]
