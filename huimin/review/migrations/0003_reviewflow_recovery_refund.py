from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("review", "0002_grant_review_permissions")]

    operations = [
        migrations.AddField(
            model_name="recovery",
            name="refund_batch_id",
            # An appeal granted after the recovery was deducted: the clearing batch that
            # paid it back (贷记).
            field=models.BigIntegerField("退还清算批次", null=True, blank=True),
        ),
    ]
