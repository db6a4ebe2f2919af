"""Pages of the insurance app under /insurance/: the cashier's counter and receipts here,
the officers' pages from officer_urls.py, all in the "insurance" namespace."""

from django.urls import include, path

from huimin.insurance.ledger import views as ledger_views
from huimin.insurance.views import counter, counter_visit, receipt

app_name = "insurance"

urlpatterns = [
    path("cashier/", counter.cashier, name="cashier"),
    path("cashier/find/", counter.cashier_find, name="cashier_find"),
    path("cashier/visits/new/", counter.cashier_register, name="cashier_register"),
    path("cashier/visits/<int:visit_id>/", counter_visit.cashier_visit, name="cashier_visit"),
    path(
        "cashier/visits/<int:visit_id>/fees/", counter_visit.cashier_add_fee, name="cashier_add_fee"
    ),
    path(
        "cashier/visits/<int:visit_id>/fees/<int:line_no>/cancel/",
        counter_visit.cashier_cancel_fee,
        name="cashier_cancel_fee",
    ),
    path(
        "cashier/visits/<int:visit_id>/discharge/",
        counter_visit.cashier_discharge,
        name="cashier_discharge",
    ),
    path(
        "cashier/visits/<int:visit_id>/pre-settle/",
        counter_visit.cashier_pre_settle,
        name="cashier_pre_settle",
    ),
    path(
        "cashier/visits/<int:visit_id>/settle/", counter_visit.cashier_settle, name="cashier_settle"
    ),
    path("cashier/today/", counter_visit.cashier_today, name="cashier_today"),
    path("settlements/<int:settlement_id>/receipt/", receipt.receipt_view, name="receipt"),
    path("settlements/<int:settlement_id>/receipt.pdf", receipt.receipt_pdf, name="receipt_pdf"),
    path("settlements/<int:settlement_id>/reverse/", receipt.receipt_reverse, name="reverse"),
    path("verify/<str:code>/", receipt.verify, name="verify"),
    path("ledger/receipts/", ledger_views.receipts, name="ledger_receipts"),
    path("", include("huimin.insurance.officer_urls")),
]
