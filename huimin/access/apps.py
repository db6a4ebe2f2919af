from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "huimin.access"
    label = "access"
    verbose_name = "接入管理"
