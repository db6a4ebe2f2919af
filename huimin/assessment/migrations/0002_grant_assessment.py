"""Grant the assessment permissions (policy/permissions.py # assessment)."""

from django.db import migrations

GRANTS = {
    "assessor": ["assessment.read", "assessment.manage"],
    "public_health_officer": ["assessment.read"],
}


def grant(apps, schema_editor):
    RolePermission = apps.get_model("registry", "RolePermission")
    RolePermission.objects.bulk_create(
        [RolePermission(role=r, permission=p) for r, perms in GRANTS.items() for p in perms],
        ignore_conflicts=True,
    )


def revoke(apps, schema_editor):
    apps.get_model("registry", "RolePermission").objects.filter(
        permission__startswith="assessment."
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0001_initial"),
        ("registry", "0010_grant_ledger_post"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
