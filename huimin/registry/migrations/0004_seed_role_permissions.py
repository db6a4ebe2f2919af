from django.db import migrations


def seed(apps, schema_editor):
    from huimin.registry.permissions import DEFAULT_GRANTS

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
