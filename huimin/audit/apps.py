from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _reinstall_sqlite_triggers(sender, using, **kwargs):
    from huimin.audit import triggers

    triggers.install(connections[using])


class AuditConfig(AppConfig):
    name = "huimin.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        from huimin.audit import triggers

        connection_created.connect(triggers.on_connection_created, dispatch_uid="audit-sqlite")
        post_migrate.connect(
            _reinstall_sqlite_triggers, sender=self, dispatch_uid="audit-sqlite-triggers"
        )
