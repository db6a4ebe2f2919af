"""Grant the catalog and enrollment permissions (added with those apps) to their roles."""

from django.db import migrations

GRANTS = {
    "catalog.read": [
        "insurance_officer",
        "township_clerk",
        "cashier",
        "doctor",
        "village_doctor",
        "public_health_officer",
        "assessor",
    ],
    "catalog.manage": ["insurance_officer"],
    "catalog.map": ["cashier", "doctor", "village_doctor"],
    "enrollment.manage": ["insurance_officer"],
}


def grant(apps, schema_editor):
    RolePermission = apps.get_model("registry", "RolePermission")
    RolePermission.objects.bulk_create(
        [RolePermission(role=r, permission=p) for p, roles in GRANTS.items() for r in roles],
        ignore_conflicts=True,
    )


def revoke(apps, schema_editor):
    RolePermission = apps.get_model("registry", "RolePermission")
    RolePermission.objects.filter(permission__in=list(GRANTS)).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_seed_role_permissions")]
    operations = [migrations.RunPython(grant, revoke)]
