from django.urls import path

from huimin.mediation import views

app_name = "mediation"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_new, name="case_new"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/step/", views.case_step, name="case_step"),
    path("<int:pk>/documents/", views.case_upload, name="case_upload"),
    path("<int:pk>/documents/<int:doc_id>/", views.case_document, name="case_document"),
    path("<int:pk>/case.pdf", views.case_pdf, name="case_pdf"),
]
