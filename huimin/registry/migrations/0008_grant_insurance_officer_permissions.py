"""Grant the insurance permissions: the office's (plans, settlements, ledger, clearing)
and the counter's (settlement.operate)."""

from django.db import migrations

NAMES = ["plan.manage", "settlement.read", "ledger.read", "clearing.manage"]
COUNTER = ["cashier", "doctor", "village_doctor"]


def grant(apps, schema_editor):
    RolePermission = apps.get_model("registry", "RolePermission")
    RolePermission.objects.bulk_create(
        [RolePermission(role="insurance_officer", permission=p) for p in NAMES]
        + [RolePermission(role=r, permission="settlement.operate") for r in COUNTER],
        ignore_conflicts=True,
    )


def revoke(apps, schema_editor):
    apps.get_model("registry", "RolePermission").objects.filter(
        permission__in=[*NAMES, "settlement.operate"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_person_page_index")]
    operations = [migrations.RunPython(grant, revoke)]
