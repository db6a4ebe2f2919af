"""Pages of fund supervision: rule sets and the risk dashboard (mounted by urls.py)."""

from django.urls import path

from huimin.review import supervision_views as views

urlpatterns = [
    path("rules/", views.rule_set_list, name="rule_sets"),
    path("rules/upload/", views.rule_set_upload, name="rule_set_upload"),
    path("rules/<int:pk>/", views.rule_set_detail, name="rule_set_detail"),
    path("rules/<int:pk>/activate/", views.rule_set_activate, name="rule_set_activate"),
    path("rules/<int:pk>/reject/", views.rule_set_reject, name="rule_set_reject"),
    path("risk/", views.dashboard, name="dashboard"),
    path("risk/colour/<str:colour>/", views.colour_institutions, name="risk_colour"),
    path(
        "risk/institutions/<int:institution_id>/<str:month>/",
        views.institution_month,
        name="risk_institution",
    ),
]
