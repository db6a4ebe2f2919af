"""The audience of a business notice acknowledges it on its own page, with a note,
audited; outside the audience or the jurisdiction it is not theirs to touch, and the
security administrator's alert pages keep working on the same notices."""

import pytest

from huimin.audit.models import AuditEvent, SecurityAlert
from tests import factories
from tests.audit.test_business_notices import overdue


def acknowledge(client, alert, note=""):
    return client.post(
        f"/audit/alerts/business/{alert.pk}/acknowledge/", {"note": note}, follow=True
    )


@pytest.mark.django_db
def test_the_audience_acknowledges_with_a_note_and_it_is_audited(client, county):
    alert = overdue()
    officer = factories.make_staff("officer", "insurance_officer", factories.COUNTY)
    client.force_login(officer)
    page = client.get("/audit/alerts/business/").content.decode()
    assert f'id="acknowledge-{alert.pk}"' in page

    r = acknowledge(client, alert, "已电话督办调查取证")
    assert r.status_code == 200 and f"提醒 #{alert.pk} 已确认" in r.content.decode()
    alert.refresh_from_db()
    assert (alert.status, alert.handled_by, alert.note) == (
        "acknowledged",
        officer,
        "已电话督办调查取证",
    )
    event = AuditEvent.objects.filter(
        object_type="audit.alert", object_id=str(alert.pk), action="update"
    ).get()
    assert event.actor_id == officer.pk
    assert event.changes == {"status": ["new", "acknowledged"]}
    assert "已电话督办调查取证" in event.purpose
    # still on the open list, as acknowledged, with who and the note; no second form
    page = client.get("/audit/alerts/business/").content.decode()
    assert f'id="acknowledge-{alert.pk}"' not in page and "已电话督办调查取证" in page

    # a second acknowledgement is refused and changes nothing
    r = acknowledge(client, alert, "again")
    assert "不能再确认" in r.content.decode()
    alert.refresh_from_db()
    assert alert.note == "已电话督办调查取证"
    assert AuditEvent.objects.filter(object_id=str(alert.pk), action="update").count() == 1


@pytest.mark.django_db
def test_a_note_too_long_is_refused_and_nothing_changes(client, county):
    alert = overdue()
    client.force_login(factories.make_staff("officer", "insurance_officer", factories.COUNTY))
    r = acknowledge(client, alert, "长" * 2001)
    assert "不能超过2000个字" in r.content.decode()
    alert.refresh_from_db()
    assert alert.status == "new"


@pytest.mark.django_db
def test_outside_the_jurisdiction_or_the_audience_it_is_not_found_or_refused(
    client, county, security_admin
):
    elsewhere = overdue("other-township", region=factories.VILLAGES[2])
    town_officer = factories.make_staff("town_officer", "insurance_officer", factories.TOWNSHIPS[0])
    client.force_login(town_officer)
    assert acknowledge(client, elsewhere).status_code == 404
    # a notice for an audience the user is not in: not found either
    other_audience = overdue("colour", audience="review.read")
    SecurityAlert.objects.filter(pk=other_audience.pk).update(audience="nobody.holds")
    assert acknowledge(client, other_audience).status_code == 404
    # a role in no audience is refused before anything is looked up
    client.force_login(factories.make_staff("clerk", "township_clerk", factories.TOWNSHIPS[0]))
    assert acknowledge(client, elsewhere).status_code == 403
    client.force_login(security_admin)
    assert acknowledge(client, elsewhere).status_code == 403
    assert set(SecurityAlert.objects.values_list("status", flat=True)) == {"new"}


@pytest.mark.django_db
def test_the_security_admin_still_closes_what_the_audience_acknowledged(
    client, county, security_admin
):
    alert = overdue()
    client.force_login(factories.make_staff("officer", "insurance_officer", factories.COUNTY))
    acknowledge(client, alert, "已督办")
    client.force_login(security_admin)
    assert "已督办" in client.get(f"/audit/alerts/{alert.pk}/").content.decode()
    r = client.post(f"/audit/alerts/{alert.pk}/close/", {"note": "案件已推进"}, follow=True)
    assert r.status_code == 200
    alert.refresh_from_db()
    assert (alert.status, alert.note) == ("closed", "案件已推进")
