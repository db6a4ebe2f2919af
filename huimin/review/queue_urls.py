"""Pages of the reviewers' queue, decisions and institutions' appeals (mounted by urls.py)."""

from django.urls import path

from huimin.review import queue_views as views

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
    path("findings/<int:pk>/decide/", views.decide, name="decide"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path(
        "appeals/<int:pk>/documents/<int:doc_id>/",
        views.appeal_document,
        name="appeal_document",
    ),
    path("institution/", views.institution_findings, name="institution_findings"),
    path("institution/findings/<int:pk>/", views.institution_finding, name="institution_finding"),
    path(
        "institution/findings/<int:pk>/appeal/",
        views.institution_appeal,
        name="institution_appeal",
    ),
]
