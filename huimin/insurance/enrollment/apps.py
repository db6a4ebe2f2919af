from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "huimin.insurance.enrollment"
    label = "enrollment"
    verbose_name = "参保缴费"
