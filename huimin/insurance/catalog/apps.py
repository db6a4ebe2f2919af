from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "huimin.insurance.catalog"
    label = "catalog"
    verbose_name = "医保目录"
