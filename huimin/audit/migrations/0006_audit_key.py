"""The keyed audit chain: key ids on events and archives, the legacy cut-over seals, and
append-only triggers on SQLite as on PostgreSQL.

Rows already written were hashed unkeyed; they get key_id "legacy" and each chain that
has any gets a cut-over seal signed with HUIMIN_AUDIT_KEY at its current end, so unkeyed
rows verify only up to there. Existing archive records are signed the same way.

Adding the columns with a constant default neither rewrites nor UPDATEs rows on
PostgreSQL (the trigger is not involved); on SQLite the table is rebuilt, which drops
its triggers, so they are installed after it (and apps.py reinstalls them after any
later migration that rebuilds the table).
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models

LEGACY = "legacy"

# Copied here (not imported) so this migration keeps meaning what it meant when written;
# the same as chain.key_id and chain.seal_message.


def key_id(key: bytes) -> str:
    return hmac.new(key, b"huimin audit key id", hashlib.sha256).hexdigest()[:12]


def sign(kind: str, *parts) -> tuple[str, str]:
    key = settings.HUIMIN_AUDIT_KEY
    message = "|".join(["huimin-audit", kind, *(str(p) for p in parts)]).encode("utf-8")
    return key_id(key), hmac.new(key, message, hashlib.sha256).hexdigest()


def seal_legacy(apps, schema_editor):
    """Seal each chain's unkeyed rows where they end now, and sign the archive records."""
    event = apps.get_model("audit", "AuditEvent")
    archive = apps.get_model("audit", "AuditArchive")
    cutover = apps.get_model("audit", "AuditLegacyCutover")
    for record in archive.objects.all():
        record.key_id, record.mac = sign(
            "archive",
            record.chain,
            record.first_seq,
            record.last_seq,
            record.first_prev_hash,
            record.last_hash,
            record.count,
            record.checksum,
        )
        record.save(update_fields=["key_id", "mac"])
    chains = set(event.objects.values_list("chain", flat=True).distinct())
    chains |= set(archive.objects.values_list("chain", flat=True).distinct())
    for number in sorted(chains):
        last = (
            event.objects.filter(chain=number, key_id=LEGACY)
            .order_by("-seq")
            .values("seq", "hash")
            .first()
        )
        if last is None:
            tail = archive.objects.filter(chain=number).order_by("-last_seq").first()
            last = {"seq": tail.last_seq, "hash": tail.last_hash}
        ident, mac = sign("legacy-cutover", number, last["seq"], last["hash"])
        cutover.objects.update_or_create(
            chain=number,
            defaults={"last_seq": last["seq"], "last_hash": last["hash"], "key_id": ident, "mac": mac},
        )


# SQLite has no session settings: archiving (and the test runner's flush of a throw-away
# test database) is let through by huimin_audit_delete_permitted(), a function the
# application registers on its own connections (apps.py). Another client, such as the
# sqlite3 shell, has no such function, so its DELETE fails too.
SQLITE_INSTALL = [
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent
    WHEN NOT huimin_audit_delete_permitted()
    BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: DELETE refused'); END""",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]


def install_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_INSTALL:
            schema_editor.execute(sql, params=None)


def uninstall_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_UNINSTALL:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_parallel_chains")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default=LEGACY, max_length=12, verbose_name="密钥编号"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditarchive",
            name="key_id",
            field=models.CharField(default="", max_length=12, verbose_name="密钥编号"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditarchive",
            name="mac",
            field=models.CharField(default="", max_length=64, verbose_name="签名"),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditLegacyCutover",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("chain", models.PositiveSmallIntegerField(unique=True, verbose_name="链")),
                ("last_seq", models.BigIntegerField(verbose_name="最后一条无密钥记录序号")),
                ("last_hash", models.CharField(max_length=64, verbose_name="其哈希")),
                ("key_id", models.CharField(max_length=12, verbose_name="密钥编号")),
                ("mac", models.CharField(max_length=64, verbose_name="签名")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="封签时间")),
            ],
            options={"verbose_name": "审计链密钥切换封签", "ordering": ["chain"]},
        ),
        migrations.RunPython(seal_legacy, migrations.RunPython.noop),
        migrations.RunPython(install_sqlite, uninstall_sqlite),
    ]
