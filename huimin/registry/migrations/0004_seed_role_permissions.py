from django.db import migrations

# A frozen copy of the defaults this migration seeded when it still imported them from
# live code (issue 12): a later change of the defaults must not rewrite history.
DEFAULT_GRANTS = {
    "insurance_officer": [
        "access.review",
        "catalog.manage",
        "catalog.read",
        "clearing.manage",
        "enrollment.manage",
        "institution.write",
        "ledger.post",
        "ledger.read",
        "loan.approve",
        "person.read",
        "person.unmask_id",
        "plan.manage",
        "registry.write",
        "settlement.read",
    ],
    "township_clerk": [
        "catalog.read",
        "loan.approve",
        "person.read",
        "person.unmask_id",
        "registry.write",
    ],
    "cashier": [
        "catalog.map",
        "catalog.read",
        "person.read",
        "settlement.operate",
    ],
    "doctor": [
        "catalog.map",
        "catalog.read",
        "person.read",
        "record.quality",
        "record.read",
        "record.write",
        "settlement.operate",
    ],
    "village_doctor": [
        "catalog.map",
        "catalog.read",
        "person.read",
        "record.quality",
        "record.read",
        "record.write",
        "settlement.operate",
    ],
    "public_health_officer": [
        "catalog.read",
        "loan.approve",
        "person.read",
        "record.archive",
        "record.destroy_approve",
        "record.quality",
        "record.read",
        "record.write",
    ],
    "assessor": [
        "catalog.read",
        "person.read",
        "record.read",
    ],
    "system_admin": [
        "accounts.manage",
        "duty.write",
    ],
    "security_admin": [
        "access.approve",
        "alerts.manage",
        "duty.write",
        "roles.manage",
    ],
    "audit_admin": [
        "audit.read",
    ],
}


def seed(apps, schema_editor):
    RolePermission = apps.get_model("registry", "RolePermission")
    RolePermission.objects.bulk_create(
        [
            RolePermission(role=role, permission=p)
            for role, perms in DEFAULT_GRANTS.items()
            for p in sorted(perms)
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_role_permissions")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
