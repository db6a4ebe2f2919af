"""The insurance officer's pages, included by huimin/insurance/urls.py (app_name "insurance")."""

from django.urls import path

from huimin.insurance.views import clearing, ledger, plans, settlements

urlpatterns = [
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/upload/", plans.plan_upload, name="plan_upload"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/activate/", plans.plan_activate, name="plan_activate"),
    path("plans/<int:pk>/reject/", plans.plan_reject, name="plan_reject"),
    path("settlements/", settlements.settlement_list, name="settlement_list"),
    path("settlements/export.csv", settlements.settlement_export, name="settlement_export"),
    path("settlements/<int:pk>/", settlements.settlement_detail, name="settlement_detail"),
    path("ledger/", ledger.ledger, name="ledger"),
    path("ledger/entries/", ledger.ledger_entries, name="ledger_entries"),
    path("reconciliations/", clearing.reconciliation_list, name="reconciliation_list"),
    path("reconciliations/<int:pk>/", clearing.reconciliation_detail, name="reconciliation_detail"),
    path("clearing/", clearing.clearing_list, name="clearing_list"),
    path("clearing/new/", clearing.clearing_create, name="clearing_create"),
    path("clearing/<int:pk>/", clearing.clearing_detail, name="clearing_detail"),
    path("clearing/<int:pk>/approve/", clearing.clearing_approve, name="clearing_approve"),
    path("clearing/<int:pk>/confirm/", clearing.clearing_confirm, name="clearing_confirm"),
    path("clearing/<int:pk>/cancel/", clearing.clearing_cancel, name="clearing_cancel"),
]
