from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "huimin.insurance"
    label = "insurance"
    verbose_name = "城乡居民医保"
