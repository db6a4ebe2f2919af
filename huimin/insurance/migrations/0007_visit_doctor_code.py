from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("insurance", "0006_settlement_typed_fields")]

    operations = [
        migrations.AddField(
            model_name="visit",
            name="doctor_code",
            field=models.CharField(
                blank=True, default="", db_default="", max_length=40, verbose_name="医师编码"
            ),
        ),
    ]
