"""Business notices (oversight/notices.py): raised once per key with their audit record,
shown to the security administrator like any alert, and on the business-alert page to
the holders of their audience permission in their jurisdiction only."""

import pytest

from huimin.audit.models import AlertRule, AuditEvent, SecurityAlert
from huimin.oversight import notices
from tests import factories

AUDIENCE = "mediation.manage"  # an audience the officer belongs to, the clerk not


def overdue(key="case-1:evidence", region=factories.VILLAGES[0], **kw):
    return notices.raise_notice(
        "test_step_overdue",
        "测试步骤逾期",
        "medium",
        f"案件 {key}",
        {"case": key, "url": "/registry/"},
        dedupe_key=key,
        audience=kw.pop("audience", AUDIENCE),
        region_code=region,
        **kw,
    )


@pytest.mark.django_db
def test_a_notice_is_raised_once_per_key_with_its_rule_and_audit_record(county):
    first = overdue()
    again = overdue()

    assert first is not None and again is None
    assert SecurityAlert.objects.filter(rule="test_step_overdue").count() == 1
    assert first.summary == "测试步骤逾期：案件 case-1:evidence"
    assert (first.audience, first.region_code, first.severity) == (
        AUDIENCE,
        factories.VILLAGES[0],
        "medium",
    )
    rule = AlertRule.objects.get(code="test_step_overdue")
    assert (rule.name, rule.severity, rule.enabled) == ("测试步骤逾期", "medium", True)
    assert AuditEvent.objects.filter(
        action="alert", object_type="audit.alert", object_id=str(first.pk)
    ).exists()
    assert overdue("case-1:expert") is not None  # another step is another notice


@pytest.mark.django_db
def test_a_disabled_rule_raises_nothing_and_the_admins_severity_wins(county):
    overdue()
    AlertRule.objects.filter(code="test_step_overdue").update(severity="high")
    assert overdue("case-2:evidence").severity == "high"
    AlertRule.objects.filter(code="test_step_overdue").update(enabled=False)
    assert overdue("case-3:evidence") is None


@pytest.mark.django_db
def test_bad_arguments_are_a_programming_error(county):
    with pytest.raises(ValueError):
        notices.raise_notice("Bad Code", "x", "medium", "s", {}, dedupe_key="k")
    with pytest.raises(ValueError):
        notices.raise_notice("ok_code", "x", "urgent", "s", {}, dedupe_key="k")
    with pytest.raises(ValueError):
        notices.raise_notice("ok_code", "x", "low", "s", {}, dedupe_key="")
    assert not SecurityAlert.objects.exists()


@pytest.mark.django_db
def test_the_security_administrator_sees_notices_on_the_alert_pages(client, security_admin):
    alert = overdue()
    client.force_login(security_admin)
    assert "测试步骤逾期" in client.get("/audit/alerts/").content.decode()
    assert client.get(f"/audit/alerts/{alert.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_audience_sees_its_notices_in_its_jurisdiction_only(client, county):
    overdue("inside", region=factories.VILLAGES[0])
    overdue("other-township", region=factories.VILLAGES[2])
    overdue("other-county", region=factories.OTHER_COUNTY_VILLAGE)
    town_officer = factories.make_staff("town_officer", "insurance_officer", factories.TOWNSHIPS[0])
    client.force_login(town_officer)

    page = client.get("/audit/alerts/business/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "案件 inside" in text and 'href="/registry/"' in text
    assert "other-township" not in text and "other-county" not in text
    menu = client.get("/").content.decode()
    assert "业务提醒" in menu


@pytest.mark.django_db
def test_closed_notices_leave_the_default_list(client, county):
    alert = overdue()
    SecurityAlert.objects.filter(pk=alert.pk).update(status="closed")
    officer = factories.make_staff("officer", "insurance_officer", factories.COUNTY)
    client.force_login(officer)
    assert "案件 case-1" not in client.get("/audit/alerts/business/").content.decode()
    closed = client.get("/audit/alerts/business/", {"status": "closed"}).content.decode()
    assert "案件 case-1" in closed
    assert client.get("/audit/alerts/business/", {"status": "bogus"}).status_code == 200


@pytest.mark.django_db
def test_roles_outside_every_audience_are_refused(client, county, security_admin):
    clerk = factories.make_staff("clerk", "township_clerk", factories.TOWNSHIPS[0])
    client.force_login(clerk)
    assert client.get("/audit/alerts/business/").status_code == 403
    assert "业务提醒" not in client.get("/").content.decode()
    client.force_login(security_admin)
    assert client.get("/audit/alerts/business/").status_code == 403


@pytest.mark.django_db
def test_a_notice_names_an_audience_from_the_table(county):
    # The page declares its policy from the same table: an audience outside it would
    # raise notices nobody can be shown.
    with pytest.raises(ValueError, match="audience"):
        overdue("stray", audience="record.read")
    assert not SecurityAlert.objects.filter(subject__contains="stray").exists()
