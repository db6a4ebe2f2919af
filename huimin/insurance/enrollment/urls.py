from django.urls import path

from huimin.insurance.enrollment import views

app_name = "enrollment"

urlpatterns = [
    path("", views.index, name="index"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/enroll/", views.enroll, name="enroll"),
    path("enrollments/<int:pk>/pay/", views.pay, name="pay"),
    path("enrollments/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("payments/<int:pk>/refund/", views.refund, name="refund"),
    path("progress/", views.progress, name="progress"),
    path("bank-batches/", views.bank_batches, name="bank_batches"),
    path("bank-batches/<int:pk>/", views.bank_batch, name="bank_batch"),
    path("periods/", views.periods, name="periods"),
    path("periods/<int:pk>/", views.period_edit, name="period_edit"),
]
