from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "huimin.records"
    label = "records"
    verbose_name = "居民健康档案与基本公共卫生服务"

    def ready(self):
        from huimin.records.scope import record_loan_scope
        from huimin.registry.models import register_scope_extension

        register_scope_extension(record_loan_scope)
