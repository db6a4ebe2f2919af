"""huimin run-alerts over the real audit log: raises each rule's alerts once."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from huimin.audit.models import AuditEvent, SecurityAlert
from huimin.audit.services import record
from huimin.oversight import alerts

TZ = timezone.get_default_timezone()


def at_clock(at, **kwargs):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: at)
        return record(**kwargs)


@pytest.mark.django_db
def test_run_alerts_raises_a_failed_login_burst_once(db, capsys):
    for _ in range(5):
        record(action="login_failed", object_type="auth.user", object_id="zhang", outcome="failed")

    call_command("run_alerts")
    call_command("run_alerts")

    alert = SecurityAlert.objects.get()
    assert alert.rule == "failed_login_burst"
    assert alert.subject == "user:zhang"
    assert alert.severity == "high" and alert.status == "new"
    out = capsys.readouterr().out
    assert "新产生安全告警 1 条" in out and "新产生安全告警 0 条" in out
    # Raising the alert is itself audited.
    assert AuditEvent.objects.filter(
        action="alert", object_type="audit.alert", object_id=str(alert.pk)
    ).exists()


@pytest.mark.django_db
def test_below_the_threshold_nothing_is_raised(db):
    for _ in range(4):
        record(action="login_failed", object_id="zhang", outcome="failed")
    call_command("run_alerts")
    assert not SecurityAlert.objects.exists()


@pytest.mark.django_db
def test_off_hours_new_ip_and_suspended_institution_from_the_log(officer):
    now = datetime.datetime(2026, 3, 3, 9, 0, tzinfo=TZ)
    at_clock(
        datetime.datetime(2026, 3, 2, 23, 30, tzinfo=TZ),
        action="read",
        actor=officer,
        object_type="registry.person",
        object_id="5",
    )
    at_clock(
        datetime.datetime(2026, 3, 2, 15, 0, tzinfo=TZ),  # working hours: fine
        action="read",
        actor=officer,
        object_id="6",
    )
    token = {"action": "token", "object_type": "access.credential", "object_id": "c-1"}
    at_clock(now - datetime.timedelta(days=20), source_ip="10.1.1.1", **token)
    at_clock(now - datetime.timedelta(minutes=30), source_ip="10.1.1.1", **token)
    at_clock(now - datetime.timedelta(minutes=10), source_ip="10.66.6.6", **token)
    at_clock(
        now - datetime.timedelta(minutes=5),
        action="token_refused",
        object_type="access.credential",
        object_id="c-9",
        institution_id=42,
        outcome="denied",
        reason="institution_suspended",
    )

    created = alerts.evaluate(now=now)

    by_rule = {a.rule: a for a in created}
    assert set(by_rule) == {"off_hours_reads", "credential_new_ip", "suspended_institution"}
    assert by_rule["off_hours_reads"].subject == "user:officer"
    assert by_rule["off_hours_reads"].details["count"] == 1
    assert by_rule["credential_new_ip"].details["ip"] == "10.66.6.6"
    assert by_rule["suspended_institution"].subject == "institution:42"
    assert alerts.evaluate(now=now) == []


@pytest.mark.django_db
def test_a_threshold_change_takes_effect_without_code(officer, security_admin):
    for i in range(30):
        record(action="read", actor=officer, object_type="registry.person", object_id=str(i))
    assert not [a for a in alerts.evaluate() if a.rule == "bulk_reads"]

    alerts.do_update_rule(
        security_admin,
        "bulk_reads",
        severity="critical",
        enabled=True,
        threshold=5,
        window_minutes=1440,
        params={"floor": 20, "baseline_days": 30},
    )
    raised = [a for a in alerts.evaluate() if a.rule == "bulk_reads"]

    assert len(raised) == 1
    assert raised[0].severity == "critical"
    assert raised[0].details["today"] == 30


@pytest.mark.django_db
def test_a_disabled_rule_raises_nothing(security_admin):
    alerts.do_update_rule(
        security_admin,
        "failed_login_burst",
        severity="high",
        enabled=False,
        threshold=5,
        window_minutes=10,
        params={},
    )
    for _ in range(8):
        record(action="login_failed", object_id="li", outcome="failed")
    assert alerts.evaluate() == []


@pytest.mark.django_db
def test_rules_missing_from_the_table_fall_back_to_defaults(db):
    from huimin.audit.models import AlertRule

    AlertRule.objects.all().delete()
    for _ in range(5):
        record(action="login_failed", object_id="wang", outcome="failed")
    assert [a.rule for a in alerts.evaluate()] == ["failed_login_burst"]
    assert AlertRule.objects.count() == len(alerts.DEFAULT_RULES)


@pytest.mark.django_db
def test_a_bad_minutes_option_is_refused(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("run_alerts", minutes=0)


@pytest.mark.django_db
def test_failed_logins_recorded_against_an_account_id_name_the_account(officer):
    # As the login page records them: no actor, the account's id as the object.
    for _ in range(5):
        record(
            action="login_failed",
            object_type="auth.user",
            object_id=str(officer.pk),
            outcome="failed",
            reason="bad_password",
        )
    assert [a.subject for a in alerts.evaluate()] == ["user:officer"]
