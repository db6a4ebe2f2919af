from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "huimin.audit"
    label = "audit"
    verbose_name = "审计与安全告警"
