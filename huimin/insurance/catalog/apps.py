from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "huimin.insurance.catalog"
    label = "catalog"
    verbose_name = "医保目录"

    def ready(self):
        from huimin.core.nav import register_menu
        from huimin.insurance.catalog.nav import menu_items

        register_menu(menu_items, order=50)
