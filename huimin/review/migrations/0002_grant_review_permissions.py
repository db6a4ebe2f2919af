"""Grant the claim-review permissions: the county's insurance officers review findings,
decide them (a second officer reviews large recoveries) and keep the rule sets; an
institution's cashier sees the findings about the institution and appeals them."""

from django.db import migrations

GRANTS = {
    "insurance_officer": ["review.read", "review.decide", "review.rules"],
    "cashier": ["review.appeal"],
}


def grant(apps, schema_editor):
    RolePermission = apps.get_model("registry", "RolePermission")
    RolePermission.objects.bulk_create(
        [RolePermission(role=r, permission=p) for r, perms in GRANTS.items() for p in perms],
        ignore_conflicts=True,
    )


def revoke(apps, schema_editor):
    apps.get_model("registry", "RolePermission").objects.filter(
        permission__startswith="review."
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0001_initial"),
        ("registry", "0010_grant_ledger_post"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
