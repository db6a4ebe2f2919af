"""PostgreSQL refuses UPDATE, DELETE and TRUNCATE on the audit table; default alert rules.

The one sanctioned removal is archiving, which sets the transaction-local setting
huimin.audit_archiving = 'on' before deleting rows it has written to an archive file.
TRUNCATE is let through only in Django's throw-away test databases (named test_*), which
the test runner empties between transactional tests; the hash chain, not the trigger, is
the proof against someone who owns the database.
"""

from django.db import migrations

INSTALL = r"""
CREATE OR REPLACE FUNCTION huimin_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('huimin.audit_archiving', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'TRUNCATE' AND current_database() LIKE 'test\_%' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION huimin_audit_append_only();
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION huimin_audit_append_only();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS huimin_audit_append_only();
"""

# Copied here (not imported) so this migration keeps meaning what it meant when written.
DEFAULT_RULES = [
    {
        "code": "failed_login_burst",
        "name": "登录失败次数过多",
        "severity": "high",
        "threshold": 5,
        "window_minutes": 10,
        "params": {},
    },
    {
        "code": "bulk_reads",
        "name": "批量查阅个人信息",
        "severity": "high",
        "threshold": 5,
        "window_minutes": 1440,
        "params": {"floor": 200, "baseline_days": 30},
    },
    {
        "code": "off_hours_reads",
        "name": "非工作时间查阅个人信息",
        "severity": "medium",
        "threshold": 1,
        "window_minutes": 1440,
        "params": {"work_start": "06:00", "work_end": "22:00"},
    },
    {
        "code": "credential_new_ip",
        "name": "接入凭证从新的IP地址使用",
        "severity": "high",
        "threshold": 1,
        "window_minutes": 60,
        "params": {"lookback_days": 90},
    },
    {
        "code": "suspended_institution",
        "name": "已暂停或撤销的机构仍在尝试接入",
        "severity": "high",
        "threshold": 1,
        "window_minutes": 60,
        "params": {},
    },
    {
        "code": "audit_chain_broken",
        "name": "审计链校验失败",
        "severity": "critical",
        "threshold": 1,
        "window_minutes": 1440,
        "params": {},
    },
]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNINSTALL, params=None)


def seed(apps, schema_editor):
    AlertRule = apps.get_model("audit", "AlertRule")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    for rule in DEFAULT_RULES:
        AlertRule.objects.get_or_create(code=rule["code"], defaults=rule)
    AuditChainHead.objects.get_or_create(pk=1, defaults={"last_seq": 0, "last_hash": "0" * 64})


def unseed(apps, schema_editor):
    apps.get_model("audit", "AlertRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(install, uninstall),
        migrations.RunPython(seed, unseed),
    ]
