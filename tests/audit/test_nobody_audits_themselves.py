"""An audit administrator never sees their own events; the security administrator sees
the auditors' events (and nothing else of the log); others see nothing."""

import pytest

from huimin.audit.models import AuditEvent
from huimin.audit.services import record
from tests import factories

API = "/api/v1/audit/events"


def actors(response):
    return {item["actor"] for item in response.json()["items"]}


@pytest.mark.django_db
def test_an_auditor_does_not_see_their_own_events(client, auditor, officer):
    record(action="read", actor=officer, object_id="1")
    record(action="login", actor=auditor)
    client.force_login(auditor)

    first = client.get(API)
    second = client.get(API)  # the first search is now in the log, by this auditor

    assert actors(first) == actors(second) == {"officer"}
    own = AuditEvent.objects.filter(actor=auditor).order_by("seq").first()
    assert client.get(f"/audit/events/{own.pk}/").status_code == 404
    assert client.get(f"{API}/{own.pk}").status_code == 404


@pytest.mark.django_db
def test_another_auditor_sees_the_first_auditors_searches(client, auditor, county):
    second = factories.make_staff("auditor2", "audit_admin")
    client.force_login(auditor)
    client.get(API)
    client.force_login(second)
    assert actors(client.get(API)) == {"auditor"}


@pytest.mark.django_db
def test_the_security_admin_sees_the_auditors_events_only(client, auditor, security_admin, officer):
    record(action="read", actor=officer, object_id="1")
    client.force_login(auditor)
    client.get(API)
    client.force_login(security_admin)

    response = client.get(API)

    assert response.status_code == 200
    assert actors(response) == {"auditor"}
    page = client.get("/audit/").content.decode()
    assert "审计管理员操作记录" in page


@pytest.mark.django_db
def test_staff_without_audit_permissions_are_refused_and_nothing_is_recorded(client, officer):
    event = record(action="read", actor=officer)
    client.force_login(officer)
    before = AuditEvent.objects.count()

    assert client.get("/audit/").status_code == 403
    assert client.get(f"/audit/events/{event.pk}/").status_code == 403
    response = client.get(API)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_log_in(client, db):
    assert client.get("/audit/").status_code == 302
    assert client.get(API).status_code == 401


@pytest.mark.django_db
def test_the_auditors_work_on_the_sysadmin_stays_invisible_to_the_sysadmin(client, auditor):
    """By construction: the system administrator's row of the policy table holds neither
    permission that shows any of the log, the grant service refuses both to it, and every
    role that holds one is an administrator role, whose accounts the system administrator
    cannot create, elevate into or reset alone (four eyes, tests/accounts)."""
    from huimin.accounts import administration, rules
    from huimin.oversight.queries import OVERSIGHT_PERM, READ_PERM
    from huimin.policy.permissions import ADMIN_ACTIONS, ADMIN_ROLES, PERMISSIONS
    from huimin.registry.models import RolePermission

    sysadmin = factories.make_staff("sysadmin1", "system_admin", factories.COUNTY)
    own = record(action="update", actor=sysadmin, object_type="auth.user", object_id="7")
    client.force_login(auditor)
    assert actors(client.get(API, {"actor": "sysadmin1"})) == {"sysadmin1"}
    assert client.get(f"/audit/events/{own.pk}/").status_code == 200
    looked = AuditEvent.objects.filter(actor=auditor).order_by("seq")
    assert looked.count() == 2

    client.force_login(sysadmin)
    assert client.get("/audit/").status_code == 403
    assert client.get(API).status_code == 403
    for event in looked:
        assert client.get(f"/audit/events/{event.pk}/").status_code == 403
        assert client.get(f"{API}/{event.pk}").status_code == 403

    log_permissions = {READ_PERM, OVERSIGHT_PERM}
    assert not ADMIN_ACTIONS["system_admin"] & log_permissions
    for perm in log_permissions:
        assert rules.check_grant("system_admin", perm, set(PERMISSIONS)) is not None
    log_roles = set(
        RolePermission.objects.filter(permission__in=log_permissions).values_list("role", flat=True)
    )
    assert log_roles and log_roles <= ADMIN_ROLES
    for role in log_roles:
        # Privileged at any reach, a village's included.
        assert administration.is_privileged_place(role, factories.VILLAGES[0])
