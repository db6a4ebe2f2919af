from django.urls import path

from huimin.access import views

app_name = "access"

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/review/", views.application_review, name="application_review"),
    path("applications/<int:pk>/approve/", views.application_approve, name="application_approve"),
    path("applications/<int:pk>/reject/", views.application_reject, name="application_reject"),
    path("institutions/", views.access_list, name="access_list"),
    path("institutions/<int:pk>/", views.institution_access, name="institution_access"),
    path("institutions/<int:pk>/status/", views.institution_status, name="institution_status"),
    path("institutions/<int:pk>/credentials/", views.credential_issue, name="credential_issue"),
    path("terminals/<int:pk>/status/", views.terminal_status, name="terminal_status"),
    path("credentials/<int:pk>/keys/", views.credential_keys, name="credential_keys"),
    path("credentials/<int:pk>/revoke/", views.credential_revoke, name="credential_revoke"),
    path("expiring/", views.expiring, name="expiring"),
]
