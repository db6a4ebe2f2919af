from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "huimin.review"
    label = "review"
    verbose_name = "智能审核与基金监管"

    def ready(self):
        from huimin.core.nav import register_menu
        from huimin.insurance.services.clearing import register_adjuster
        from huimin.review import realtime
        from huimin.review.nav import menu_items
        from huimin.review.workflow import clearing_adjustments, pending_recoveries

        register_menu(menu_items, order=40)
        # Pre-settle and settle run the rule set's claim rules (insurance.claim_checks).
        realtime.register()
        # Confirmed recoveries are deducted at the institution's next monthly clearing.
        register_adjuster(clearing_adjustments, preview=pending_recoveries)
