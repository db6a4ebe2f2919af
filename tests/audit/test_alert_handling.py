"""The security administrator's alert page: list, acknowledge, close with a required
note; every change audited; nobody else may touch alerts."""

import pytest

from huimin.audit.models import AuditEvent, SecurityAlert


def make_alert(key="k1", severity="high", status="new"):
    return SecurityAlert.objects.create(
        rule="failed_login_burst",
        severity=severity,
        status=status,
        subject="user:zhang",
        summary=f"账号 zhang 登录失败 {key}",
        details={"count": 5},
        dedupe_key=key,
    )


def audit_of(alert):
    return AuditEvent.objects.filter(object_type="audit.alert", object_id=str(alert.pk))


@pytest.mark.django_db
def test_the_list_filters_by_status_and_severity(client, security_admin):
    make_alert("a", "high", "new")
    make_alert("b", "low", "closed")
    client.force_login(security_admin)

    all_page = client.get("/audit/alerts/").content.decode()
    closed = client.get("/audit/alerts/", {"status": "closed"}).content.decode()
    high = client.get("/audit/alerts/", {"severity": "high"}).content.decode()

    assert "登录失败 a" in all_page and "登录失败 b" in all_page
    assert "登录失败 a" not in closed and "登录失败 b" in closed
    assert "登录失败 a" in high and "登录失败 b" not in high


@pytest.mark.django_db
def test_acknowledge_then_close_with_a_note(client, security_admin):
    alert = make_alert()
    client.force_login(security_admin)

    response = client.post(f"/audit/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    assert alert.handled_by == security_admin

    client.post(f"/audit/alerts/{alert.pk}/close/", {"note": "核实为本人忘记密码，已重置"})
    alert.refresh_from_db()
    assert alert.status == "closed"
    assert alert.note == "核实为本人忘记密码，已重置"
    assert alert.handled_at is not None

    changes = [e.changes["status"] for e in audit_of(alert).order_by("seq")]
    assert changes == [["new", "acknowledged"], ["acknowledged", "closed"]]
    assert audit_of(alert).filter(actor=security_admin, action="update").count() == 2


@pytest.mark.django_db
def test_closing_without_a_note_is_refused_and_changes_nothing(client, security_admin):
    alert = make_alert()
    client.force_login(security_admin)

    for note in ["", "   "]:
        response = client.post(f"/audit/alerts/{alert.pk}/close/", {"note": note})
        assert response.status_code == 422
        assert "关闭告警须填写处理说明" in response.content.decode()

    alert.refresh_from_db()
    assert (alert.status, alert.handled_by, alert.note) == ("new", None, "")
    assert not audit_of(alert).exists()


@pytest.mark.django_db
def test_an_overlong_note_is_refused(client, security_admin):
    alert = make_alert()
    client.force_login(security_admin)
    response = client.post(f"/audit/alerts/{alert.pk}/close/", {"note": "长" * 2001})
    assert response.status_code == 422
    alert.refresh_from_db()
    assert alert.status == "new"
    assert not audit_of(alert).exists()


@pytest.mark.django_db
def test_a_closed_alert_cannot_be_acknowledged_or_closed_again(client, security_admin):
    alert = make_alert(status="closed")
    client.force_login(security_admin)

    client.post(f"/audit/alerts/{alert.pk}/acknowledge/")
    client.post(f"/audit/alerts/{alert.pk}/close/", {"note": "再关一次"})

    alert.refresh_from_db()
    assert (alert.status, alert.note) == ("closed", "")
    assert not audit_of(alert).exists()


@pytest.mark.django_db
def test_others_may_not_see_or_handle_alerts(client, auditor, officer):
    alert = make_alert()
    for user in (auditor, officer):
        client.force_login(user)
        assert client.get("/audit/alerts/").status_code == 403
        assert client.get(f"/audit/alerts/{alert.pk}/").status_code == 403
        assert client.post(f"/audit/alerts/{alert.pk}/acknowledge/").status_code == 403
        assert client.post(f"/audit/alerts/{alert.pk}/close/", {"note": "x"}).status_code == 403
    alert.refresh_from_db()
    assert alert.status == "new"
    assert not audit_of(alert).exists()


@pytest.mark.django_db
def test_an_unknown_alert_is_not_found(client, security_admin):
    client.force_login(security_admin)
    assert client.get("/audit/alerts/999999/").status_code == 404
    assert client.post("/audit/alerts/999999/close/", {"note": "x"}).status_code == 404


@pytest.mark.django_db
def test_bad_list_filters_are_reported_not_fatal(client, security_admin):
    make_alert()
    client.force_login(security_admin)
    response = client.get("/audit/alerts/", {"status": "gone", "after": "99999999999999999999999"})
    assert response.status_code == 200
    assert "状态不在允许范围内" in response.content.decode()
