from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "huimin.insurance.enrollment"
    label = "enrollment"
    verbose_name = "参保缴费"

    def ready(self):
        from huimin.core.nav import register_menu
        from huimin.insurance.enrollment.moves import follow_move
        from huimin.insurance.enrollment.nav import menu_items
        from huimin.registry.moves import register_listener

        register_menu(menu_items, order=40)
        # The registry sits below this app: it calls back when a person moves village.
        register_listener(follow_move)
