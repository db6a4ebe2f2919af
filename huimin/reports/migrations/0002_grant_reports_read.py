"""Grant reports.read: the county insurance office, the public-health officers and the
health commission's assessors read the figures of their jurisdiction."""

from django.db import migrations

GRANTS = {
    "insurance_officer": ["reports.read"],
    "public_health_officer": ["reports.read"],
    "assessor": ["reports.read"],
}


def grant(apps, schema_editor):
    RolePermission = apps.get_model("registry", "RolePermission")
    RolePermission.objects.bulk_create(
        [RolePermission(role=r, permission=p) for r, perms in GRANTS.items() for p in perms],
        ignore_conflicts=True,
    )


def revoke(apps, schema_editor):
    apps.get_model("registry", "RolePermission").objects.filter(
        permission__startswith="reports."
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("registry", "0010_grant_ledger_post"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
