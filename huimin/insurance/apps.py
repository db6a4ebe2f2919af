from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "huimin.insurance"
    label = "insurance"
    verbose_name = "城乡居民医保"

    def ready(self):
        from huimin.core.nav import register_menu
        from huimin.insurance.nav import menu_items

        register_menu(menu_items, order=30)
