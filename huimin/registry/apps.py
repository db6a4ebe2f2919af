from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "huimin.registry"
    label = "registry"
    verbose_name = "登记"
