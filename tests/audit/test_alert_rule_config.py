"""Thresholds are configuration: the security administrator edits them on a page; bad
values are refused and change nothing; every change is audited."""

import pytest

from huimin.audit.models import AlertRule, AuditEvent


def post_rule(client, code="failed_login_burst", **overrides):
    data = {
        "code": code,
        "enabled": "on",
        "severity": "high",
        "threshold": "5",
        "window_minutes": "10",
        "params": "{}",
    }
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post("/audit/alerts/rules/", data)


def config_events():
    return AuditEvent.objects.filter(action="config", object_type="audit.alert_rule")


@pytest.mark.django_db
def test_the_page_lists_every_rule_with_its_thresholds(client, security_admin):
    client.force_login(security_admin)
    page = client.get("/audit/alerts/rules/").content.decode()
    for name in ["登录失败次数过多", "批量查阅个人信息", "非工作时间查阅个人信息"]:
        assert name in page


@pytest.mark.django_db
def test_a_change_is_saved_and_audited(client, security_admin):
    client.force_login(security_admin)

    response = post_rule(client, threshold="8", window_minutes="15", severity="critical")

    assert response.status_code == 302
    rule = AlertRule.objects.get(code="failed_login_burst")
    assert (rule.threshold, rule.window_minutes, rule.severity) == (8, 15, "critical")
    event = config_events().get()
    assert event.actor == security_admin
    assert event.changes["threshold"] == [5, 8]
    assert event.object_id == "failed_login_burst"


@pytest.mark.django_db
def test_disabling_a_rule(client, security_admin):
    client.force_login(security_admin)
    post_rule(client, enabled=None)
    assert not AlertRule.objects.get(code="failed_login_burst").enabled


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"threshold": "0"}, "阈值应在1至"),
        ({"threshold": "abc"}, "阈值应为整数"),
        ({"window_minutes": "-5"}, "时间窗应在1至"),
        ({"window_minutes": "99999999"}, "时间窗应在1至"),
        ({"severity": "apocalyptic"}, "级别不在允许范围内"),
        ({"params": "{not json"}, "其他参数应为JSON对象"),
        ({"params": "[1, 2]"}, "其他参数应为JSON对象"),
        ({"params": '{"floor": 5}'}, "不认识的参数"),
    ],
)
def test_bad_values_are_refused_and_change_nothing(client, security_admin, overrides, reason):
    client.force_login(security_admin)
    before = AlertRule.objects.get(code="failed_login_burst")

    response = post_rule(client, **overrides)

    assert response.status_code == 422
    assert reason in response.content.decode()
    after = AlertRule.objects.get(code="failed_login_burst")
    assert (after.threshold, after.window_minutes, after.severity, after.params) == (
        before.threshold,
        before.window_minutes,
        before.severity,
        before.params,
    )
    assert not config_events().exists()


@pytest.mark.django_db
def test_rule_parameters_are_checked(client, security_admin):
    client.force_login(security_admin)
    response = post_rule(
        client,
        code="off_hours_reads",
        threshold="1",
        window_minutes="1440",
        params='{"work_start": "08:00", "work_end": "8pm"}',
    )
    assert response.status_code == 422
    assert AlertRule.objects.get(code="off_hours_reads").params["work_end"] == "22:00"

    response = post_rule(
        client,
        code="off_hours_reads",
        threshold="1",
        window_minutes="1440",
        params='{"work_start": "08:00", "work_end": "20:00"}',
    )
    assert response.status_code == 302
    assert AlertRule.objects.get(code="off_hours_reads").params == {
        "work_start": "08:00",
        "work_end": "20:00",
    }


@pytest.mark.django_db
def test_an_unknown_rule_is_not_found(client, security_admin):
    client.force_login(security_admin)
    assert post_rule(client, code="no_such_rule").status_code == 404


@pytest.mark.django_db
def test_others_may_not_change_rules(client, auditor):
    client.force_login(auditor)
    assert client.get("/audit/alerts/rules/").status_code == 403
    assert post_rule(client, threshold="1").status_code == 403
    assert AlertRule.objects.get(code="failed_login_burst").threshold == 5
    assert not config_events().exists()
