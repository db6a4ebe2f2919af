from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "huimin.records"
    label = "records"
    verbose_name = "居民健康档案与基本公共卫生服务"

    def ready(self):
        from django.db.models.signals import pre_delete

        from huimin.core.nav import register_menu
        from huimin.policy.scope import register_scope_extension
        from huimin.records.archive import refuse_form_deletion
        from huimin.records.models import Form
        from huimin.records.nav import menu_items
        from huimin.records.scope import record_loan_scope

        register_menu(menu_items, order=20)
        register_scope_extension(record_loan_scope)
        # Never silent deletion (issue #6): only a twice-approved destruction removes forms.
        pre_delete.connect(refuse_form_deletion, sender=Form, dispatch_uid="records.form.keep")
