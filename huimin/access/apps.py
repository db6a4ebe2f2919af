from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "huimin.access"
    label = "access"
    verbose_name = "接入管理"

    def ready(self):
        from huimin.access.nav import menu_items
        from huimin.core.nav import register_menu

        register_menu(menu_items, order=60)
