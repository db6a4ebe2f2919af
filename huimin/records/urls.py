from django.urls import path

from huimin.records import due_views, quality_views, views

app_name = "records"

urlpatterns = [
    path("", views.home, name="home"),
    path("quality/", quality_views.summary, name="quality"),
    path("quality/<str:village>/", quality_views.findings, name="quality_findings"),
    path(
        "quality/findings/<int:finding_id>/confirm/",
        quality_views.confirm,
        name="quality_confirm",
    ),
    path(
        "quality/records/<int:record_id>/recheck/",
        quality_views.recheck,
        name="quality_recheck",
    ),
    path("due/", due_views.due_list, name="due_list"),
    path("due/plan/", due_views.visit_plan, name="visit_plan"),
]
