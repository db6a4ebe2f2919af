"""Parallel audit chains: every existing event, head and archive is chain 1.

Adding the column with a constant default neither rewrites nor UPDATEs rows on
PostgreSQL, so the append-only trigger is not involved. The heads of the new chains
are made here, so that the first busy moment after the upgrade finds them.
"""

from django.conf import settings
from django.db import migrations, models


GENESIS = "0" * 64
CHAINS = 8  # audit.conf.CHAINS when this was written


def make_heads(apps, schema_editor):
    head = apps.get_model("audit", "AuditChainHead")
    event = apps.get_model("audit", "AuditEvent")
    have = set(head.objects.values_list("pk", flat=True))
    made = []
    for number in range(1, CHAINS + 1):
        if number in have:
            continue
        last = event.objects.filter(chain=number).order_by("-seq").values("seq", "hash").first()
        made.append(
            head(
                pk=number,
                last_seq=last["seq"] if last else 0,
                last_hash=last["hash"] if last else GENESIS,
            )
        )
    head.objects.bulk_create(made)


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
        migrations.RunPython(make_heads, migrations.RunPython.noop),
    ]
