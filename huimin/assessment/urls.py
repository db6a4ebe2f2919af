from django.urls import path

from huimin.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("scheme/", views.scheme_action, name="scheme_action"),
    path("score/", views.score, name="score"),
    path("funds/", views.funds, name="funds"),
    path("p/<int:pub_id>/publish/", views.publish, name="publish"),
    path("p/<int:pub_id>/<str:region>/", views.result, name="result"),
    path("p/<int:pub_id>/<str:region>/xlsx/", views.result_xlsx, name="result_xlsx"),
    path("p/<int:pub_id>/<str:region>/pdf/", views.result_pdf, name="result_pdf"),
    path("p/<int:pub_id>/<str:region>/statement/", views.statement, name="statement"),
    path("p/<int:pub_id>/<str:region>/statement.xlsx", views.statement_xlsx, name="statement_xlsx"),
]
