from django.urls import path

from huimin.records import (
    activity_views,
    archive_views,
    due_views,
    programme_views,
    quality_views,
    views,
)

app_name = "records"

urlpatterns = [
    path("", views.home, name="home"),
    path("open/", views.open_record, name="open"),
    path("<int:record_id>/", views.record, name="record"),
    path("<int:record_id>/forms/new/<str:kind>/", views.form_new, name="form_new"),
    path("forms/<int:form_id>/", views.form_view, name="form"),
    path("forms/<int:form_id>/amend/", views.form_amend, name="form_amend"),
    path("household/<int:household_id>/", views.household, name="household"),
    path("<int:record_id>/programmes/new/", programme_views.register, name="programme_new"),
    path("programmes/<int:programme_id>/end/", programme_views.end, name="programme_end"),
    path("quality/", quality_views.summary, name="quality"),
    path("quality/<str:village>/", quality_views.findings, name="quality_findings"),
    path(
        "quality/findings/<int:finding_id>/confirm/",
        quality_views.confirm,
        name="quality_confirm",
    ),
    path(
        "quality/records/<int:record_id>/recheck/",
        quality_views.recheck,
        name="quality_recheck",
    ),
    path("activities/", activity_views.activity_list, name="activities"),
    path("activities/new/<str:kind>/", activity_views.activity_new, name="activity_new"),
    path("due/", due_views.due_list, name="due_list"),
    path("due/plan/", due_views.visit_plan, name="visit_plan"),
    path("archive/", archive_views.home, name="archive"),
    path("archive/records/<int:record_id>/", archive_views.record_page, name="archive_record"),
    path(
        "archive/records/<int:record_id>/transfer/",
        archive_views.transfer,
        name="archive_transfer_do",
    ),
    path(
        "archive/records/<int:record_id>/doctor/",
        archive_views.assign_doctor,
        name="archive_doctor",
    ),
    path("archive/records/<int:record_id>/close/", archive_views.close, name="archive_close"),
    path(
        "archive/records/<int:record_id>/destruction/",
        archive_views.request_destruction,
        name="archive_destroy",
    ),
    path("archive/transfers/", archive_views.transfers, name="archive_transfers"),
    path(
        "archive/transfers/<int:transfer_id>/",
        archive_views.transfer_trace,
        name="archive_transfer",
    ),
    path("archive/appraisal/", archive_views.appraisal, name="archive_appraisal"),
    path("archive/destructions/", archive_views.register, name="archive_register"),
    path(
        "archive/destructions/<int:destruction_id>/decide/",
        archive_views.decide,
        name="archive_decide",
    ),
]
