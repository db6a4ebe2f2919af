from django.urls import path

from huimin.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/<str:board>/", views.dashboard, name="dashboard"),
    path("i/<str:code>/", views.indicator, name="indicator"),
    path("i/<str:code>/people/", views.people, name="people"),
]
