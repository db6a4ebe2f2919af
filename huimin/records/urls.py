from django.urls import path

from huimin.records import views

app_name = "records"

urlpatterns = [
    path("", views.home, name="home"),
]
