"""Pages of the insurance app under /insurance/: the cashier's counter and receipts here,
the officers' pages from officer_urls.py, all in the "insurance" namespace."""

from django.urls import include, path

from huimin.insurance import views
from huimin.insurance.ledger import views as ledger_views

app_name = "insurance"

urlpatterns = [
    path("cashier/", views.cashier, name="cashier"),
    path("cashier/find/", views.cashier_find, name="cashier_find"),
    path("cashier/visits/new/", views.cashier_register, name="cashier_register"),
    path("cashier/visits/<int:visit_id>/", views.cashier_visit, name="cashier_visit"),
    path("cashier/visits/<int:visit_id>/fees/", views.cashier_add_fee, name="cashier_add_fee"),
    path(
        "cashier/visits/<int:visit_id>/fees/<int:line_no>/cancel/",
        views.cashier_cancel_fee,
        name="cashier_cancel_fee",
    ),
    path(
        "cashier/visits/<int:visit_id>/discharge/",
        views.cashier_discharge,
        name="cashier_discharge",
    ),
    path(
        "cashier/visits/<int:visit_id>/pre-settle/",
        views.cashier_pre_settle,
        name="cashier_pre_settle",
    ),
    path("cashier/visits/<int:visit_id>/settle/", views.cashier_settle, name="cashier_settle"),
    path("cashier/today/", views.cashier_today, name="cashier_today"),
    path("settlements/<int:settlement_id>/receipt/", views.receipt_view, name="receipt"),
    path("settlements/<int:settlement_id>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("settlements/<int:settlement_id>/reverse/", views.receipt_reverse, name="reverse"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("ledger/receipts/", ledger_views.receipts, name="ledger_receipts"),
    path("", include("huimin.insurance.officer_urls")),
]
