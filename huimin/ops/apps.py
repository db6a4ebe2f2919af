from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "huimin.ops"
    label = "ops"
    verbose_name = "运维"
