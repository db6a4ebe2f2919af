from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "huimin.assessment"
    label = "assessment"
    verbose_name = "绩效考核"

    def ready(self):
        from huimin.core.nav import register_menu
        from huimin.policy import has_perm

        def menu_items(user, role):
            from django.urls import reverse

            if has_perm(user, "assessment.read"):
                return [{"label": "绩效考核", "url": reverse("assessment:index")}]
            return []

        register_menu(menu_items, order=65)
