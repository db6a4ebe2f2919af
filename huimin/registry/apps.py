from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "huimin.registry"
    label = "registry"
    verbose_name = "登记"

    def ready(self):
        from huimin.core.nav import register_menu
        from huimin.registry.nav import menu_items

        register_menu(menu_items, order=10)
