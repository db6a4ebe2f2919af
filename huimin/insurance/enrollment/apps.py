from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "huimin.insurance.enrollment"
    label = "enrollment"
    verbose_name = "参保缴费"

    def ready(self):
        from huimin.core.nav import register_menu
        from huimin.insurance.enrollment.nav import menu_items

        register_menu(menu_items, order=40)
