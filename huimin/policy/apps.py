from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _after_migrate(sender, using, **kwargs):
    # Data migrations grant and revoke too, without calling grants_changed(): bump the
    # version once after every migrate so running workers reload on their next request.
    from huimin.policy.permissions import grants_changed  # needs the app registry ready

    grants_changed(using=using)


class PolicyConfig(AppConfig):
    name = "huimin.policy"
    label = "policy"
    verbose_name = "权限与辖区策略"

    def ready(self):
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="policy.version")
