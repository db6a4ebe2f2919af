from django.contrib.auth import views as auth_views
from django.urls import include, path

from huimin.api import api
from huimin.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", api.urls),
    path("", core_views.home, name="home"),
    path("registry/", include("huimin.registry.urls")),
    path("accounts/", include("huimin.accounts.urls")),
    path("audit/", include("huimin.audit.urls")),
    path("access/", include("huimin.access.urls")),
    path("ops/", include("huimin.ops.urls")),
]
