from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "huimin.insurance.enrollment"
    label = "enrollment"
    verbose_name = "参保缴费"

    def ready(self):
        from huimin.insurance.enrollment.moves import follow_move
        from huimin.registry.moves import register_listener

        # The registry sits below this app: it calls back when a person moves village.
        register_listener(follow_move)
