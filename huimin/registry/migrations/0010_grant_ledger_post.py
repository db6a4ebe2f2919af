"""Grant the insurance office the recording of fund receipts (ledger.post)."""

from django.db import migrations


def grant(apps, schema_editor):
    RolePermission = apps.get_model("registry", "RolePermission")
    RolePermission.objects.bulk_create(
        [RolePermission(role="insurance_officer", permission="ledger.post")],
        ignore_conflicts=True,
    )


def revoke(apps, schema_editor):
    apps.get_model("registry", "RolePermission").objects.filter(permission="ledger.post").delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_person_ss_card")]
    operations = [migrations.RunPython(grant, revoke)]
