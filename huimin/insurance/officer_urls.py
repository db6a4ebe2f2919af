"""The insurance officer's pages, included by huimin/insurance/urls.py (app_name "insurance")."""

from django.urls import path

from huimin.insurance import officer_views as views

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/upload/", views.plan_upload, name="plan_upload"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/activate/", views.plan_activate, name="plan_activate"),
    path("plans/<int:pk>/reject/", views.plan_reject, name="plan_reject"),
    path("settlements/", views.settlement_list, name="settlement_list"),
    path("settlements/export.csv", views.settlement_export, name="settlement_export"),
    path("settlements/<int:pk>/", views.settlement_detail, name="settlement_detail"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/entries/", views.ledger_entries, name="ledger_entries"),
    path("reconciliations/", views.reconciliation_list, name="reconciliation_list"),
    path("reconciliations/<int:pk>/", views.reconciliation_detail, name="reconciliation_detail"),
    path("clearing/", views.clearing_list, name="clearing_list"),
    path("clearing/new/", views.clearing_create, name="clearing_create"),
    path("clearing/<int:pk>/", views.clearing_detail, name="clearing_detail"),
    path("clearing/<int:pk>/approve/", views.clearing_approve, name="clearing_approve"),
    path("clearing/<int:pk>/confirm/", views.clearing_confirm, name="clearing_confirm"),
    path("clearing/<int:pk>/cancel/", views.clearing_cancel, name="clearing_cancel"),
]
