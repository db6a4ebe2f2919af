from django.urls import path

from huimin.ops import views

app_name = "ops"

urlpatterns = [
    path("duty/", views.duty_list, name="duty_list"),
    path("duty/new/", views.duty_new, name="duty_new"),
    path("duty/<int:pk>/", views.duty_detail, name="duty_detail"),
]
