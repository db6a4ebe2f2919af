"""Load the national province/city/county codes so every database starts with them."""

from django.db import migrations


def load(apps, schema_editor):
    from huimin.registry.regions import load_national

    load_national(apps.get_model("registry", "Region"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
