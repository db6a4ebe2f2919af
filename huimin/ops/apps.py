from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "huimin.ops"
    label = "ops"
    verbose_name = "运维"

    def ready(self):
        from huimin.core.nav import register_menu
        from huimin.ops.nav import menu_items

        register_menu(menu_items, order=90)
