from django.urls import path

from huimin.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
]
