from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "huimin.reports"
    label = "reports"
    verbose_name = "指标与报表"

    def ready(self):
        from huimin.core.nav import register_menu
        from huimin.reports.nav import menu_items

        register_menu(menu_items, order=60)
