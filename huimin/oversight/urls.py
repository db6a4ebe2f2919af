from django.urls import path

from huimin.oversight import views

app_name = "audit"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/rules/", views.rule_list, name="rule_list"),
    path("alerts/business/", views.business_alert_list, name="business_alert_list"),
    path(
        "alerts/business/<int:pk>/acknowledge/",
        views.business_alert_acknowledge,
        name="business_alert_acknowledge",
    ),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/close/", views.alert_close, name="alert_close"),
]
