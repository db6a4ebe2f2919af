from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "huimin.mediation"
    label = "mediation"
    verbose_name = "医疗纠纷调解"

    def ready(self):
        from huimin.core.nav import register_menu
        from huimin.mediation.nav import menu_items

        register_menu(menu_items, order=45)
