from django.apps import AppConfig


class OversightConfig(AppConfig):
    """The audit log's read side: queries, security alerts, their pages, API and menu.

    It sits above the registry and the policy layer (it asks who may read what, and
    names staff and institutions), while the log itself (huimin.audit: tables, chain,
    `record`) sits below everything that writes to it. No models of its own: it reads
    the audit tables and writes alerts into them."""

    name = "huimin.oversight"
    label = "oversight"
    verbose_name = "审计查阅与安全告警"

    def ready(self):
        from huimin.core.nav import register_menu
        from huimin.oversight.nav import menu_items

        register_menu(menu_items, order=80)
