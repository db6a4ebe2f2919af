from django.urls import path

from huimin.accounts import admin_views, incident_views, loan_views, views

app_name = "accounts"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("password/", views.password_change, name="password_change"),
    path("2fa/", views.second_factor, name="second_factor"),
    path("2fa/enrol/", views.enrol_second_factor, name="enrol_second_factor"),
    path("staff/", admin_views.staff_list, name="staff_list"),
    path("staff/new/", admin_views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", admin_views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/disable/", admin_views.staff_disable, name="staff_disable"),
    path("staff/<int:pk>/enable/", admin_views.staff_enable, name="staff_enable"),
    path("staff/<int:pk>/password/", admin_views.staff_reset_password, name="staff_reset_password"),
    path("staff/<int:pk>/2fa/", admin_views.staff_reset_second_factor, name="staff_reset_2fa"),
    path("staff/<int:pk>/unlock/", admin_views.staff_unlock, name="staff_unlock"),
    path("requests/", admin_views.request_list, name="request_list"),
    path("requests/<int:pk>/", admin_views.request_detail, name="request_detail"),
    path("requests/<int:pk>/withdraw/", admin_views.request_withdraw, name="request_withdraw"),
    path("roles/", admin_views.roles, name="roles"),
    path("incident/", incident_views.incident_page, name="incident"),
    path("incident/<int:pk>/decide/", incident_views.incident_decide, name="incident_decide"),
    path("loans/", loan_views.loans, name="loans"),
    path("loans/new/", loan_views.loan_request, name="loan_request"),
    path("loans/queue/", loan_views.loan_queue, name="loan_queue"),
    path("loans/<int:pk>/decide/", loan_views.loan_decide, name="loan_decide"),
    path("loans/<int:pk>/end/", loan_views.loan_end, name="loan_end"),
]
