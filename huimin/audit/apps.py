from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "huimin.audit"
    label = "audit"
    verbose_name = "审计与安全告警"

    def ready(self):
        from huimin.audit.nav import menu_items
        from huimin.core.nav import register_menu

        register_menu(menu_items, order=80)
