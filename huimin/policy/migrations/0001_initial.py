from django.db import migrations, models


def first_version(apps, schema_editor):
    apps.get_model("policy", "PolicyVersion").objects.get_or_create(id=1)


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="PolicyVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=1, verbose_name="策略版本")),
            ],
            options={"verbose_name": "权限策略版本"},
        ),
        migrations.AddConstraint(
            model_name="policyversion",
            constraint=models.CheckConstraint(condition=models.Q(id=1), name="policy_version_one"),
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
    ]
