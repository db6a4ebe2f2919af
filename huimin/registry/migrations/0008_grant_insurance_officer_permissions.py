"""Grant the insurance office's permissions (plans, settlements, ledger, clearing)."""

from django.db import migrations

NAMES = ["plan.manage", "settlement.read", "ledger.read", "clearing.manage"]


def grant(apps, schema_editor):
    RolePermission = apps.get_model("registry", "RolePermission")
    RolePermission.objects.bulk_create(
        [RolePermission(role="insurance_officer", permission=p) for p in NAMES],
        ignore_conflicts=True,
    )


def revoke(apps, schema_editor):
    apps.get_model("registry", "RolePermission").objects.filter(permission__in=NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_person_page_index")]
    operations = [migrations.RunPython(grant, revoke)]
