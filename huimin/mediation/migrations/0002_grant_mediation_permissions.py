"""Grant the mediation permissions to the county insurance officer (policy/permissions.py
DEFAULT_GRANTS; a frozen copy here, as migrations never import live code)."""

from django.db import migrations

GRANTS = {"insurance_officer": ["mediation.read", "mediation.manage"]}


def grant(apps, schema_editor):
    RolePermission = apps.get_model("registry", "RolePermission")
    RolePermission.objects.bulk_create(
        [RolePermission(role=r, permission=p) for r, perms in GRANTS.items() for p in perms],
        ignore_conflicts=True,
    )


def revoke(apps, schema_editor):
    apps.get_model("registry", "RolePermission").objects.filter(
        permission__startswith="mediation."
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0001_initial"),
        ("registry", "0008_grant_insurance_officer_permissions"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
