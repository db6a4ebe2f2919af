"""Parallel audit chains: every existing event, head and archive is chain 1.

Adding the column with a constant default neither rewrites nor UPDATEs rows on
PostgreSQL, so the append-only trigger is not involved.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_record_form_actions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='auditarchive',
            options={'ordering': ['chain', 'last_seq'], 'verbose_name': '审计归档'},
        ),
        migrations.AddField(
            model_name='auditarchive',
            name='chain',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='链'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='chain',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='链'),
        ),
        migrations.AlterField(
            model_name='auditarchive',
            name='last_seq',
            field=models.BigIntegerField(verbose_name='结束序号'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='seq',
            field=models.BigIntegerField(verbose_name='链序号'),
        ),
        migrations.AddConstraint(
            model_name='auditarchive',
            constraint=models.UniqueConstraint(fields=('chain', 'last_seq'), name='audit_archive_chain_seq'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('chain', 'seq'), name='audit_event_chain_seq'),
        ),
    ]
