"""Grant the health-record permissions: record keepers (doctors, village doctors,
public-health staff), archive work and destruction approval (public-health staff), and
reading for assessors."""

from django.db import migrations

KEEPER = ["record.read", "record.write", "record.quality"]
GRANTS = {
    "doctor": KEEPER,
    "village_doctor": KEEPER,
    "public_health_officer": [*KEEPER, "record.archive", "record.destroy_approve"],
    "assessor": ["record.read"],
}


def grant(apps, schema_editor):
    RolePermission = apps.get_model("registry", "RolePermission")
    RolePermission.objects.bulk_create(
        [RolePermission(role=r, permission=p) for r, perms in GRANTS.items() for p in perms],
        ignore_conflicts=True,
    )


def revoke(apps, schema_editor):
    apps.get_model("registry", "RolePermission").objects.filter(
        permission__startswith="record."
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_initial"),
        ("registry", "0008_grant_insurance_officer_permissions"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
