"""Disabling an account stops its logins and sessions; administrators cannot promote or
re-enable themselves."""

import pytest

from huimin.accounts import administration
from huimin.audit.models import AuditEvent
from huimin.core.errors import PermissionDenied
from tests.accounts.conftest import login


@pytest.fixture
def admin(verified_client, sysadmin):
    verified_client.force_login(sysadmin)
    return verified_client


def test_a_disabled_account_cannot_log_in_and_its_session_ends(admin, client, cashier):
    login(client, "cashier1")
    assert client.get("/accounts/me/").status_code == 200
    assert admin.post(f"/accounts/staff/{cashier.pk}/disable/").status_code == 302
    cashier.refresh_from_db()
    assert not cashier.is_active
    assert client.get("/accounts/me/")["Location"].startswith("/login/")
    refused = login(client, "cashier1")
    assert refused.status_code == 200 and "用户名或密码错误" in refused.content.decode()
    assert AuditEvent.objects.filter(action="suspend", object_id=str(cashier.pk)).exists()


def test_enabling_restores_the_login(admin, client, cashier):
    admin.post(f"/accounts/staff/{cashier.pk}/disable/")
    admin.post(f"/accounts/staff/{cashier.pk}/enable/")
    assert login(client, "cashier1").status_code == 302


def test_an_administrator_cannot_re_enable_themselves(sysadmin):
    sysadmin.is_active = False
    sysadmin.save()
    with pytest.raises(PermissionDenied) as refused:
        administration.do_set_active(sysadmin, sysadmin.pk, True)
    assert refused.value.code == "own_account"
    sysadmin.refresh_from_db()
    assert not sysadmin.is_active
    assert AuditEvent.objects.filter(action="resume", outcome="denied").exists()


def test_an_administrator_cannot_change_their_own_role(admin, sysadmin):
    response = admin.post(
        f"/accounts/staff/{sysadmin.pk}/",
        {"name": "黄系统", "role": "security_admin", "jurisdiction": sysadmin.staff.jurisdiction},
    )
    assert response.status_code == 200
    assert "不能修改自己的角色" in response.content.decode()
    sysadmin.staff.refresh_from_db()
    assert sysadmin.staff.role == "system_admin"
    assert AuditEvent.objects.filter(action="update", outcome="denied", reason="own_role").exists()


def test_an_administrator_may_change_another_accounts_role(admin, sysadmin, county):
    from tests import factories

    clerk = factories.make_staff("clerk9", "township_clerk", factories.TOWNSHIPS[0])
    response = admin.post(
        f"/accounts/staff/{clerk.pk}/",
        {"name": "王九", "role": "public_health_officer", "jurisdiction": factories.TOWNSHIPS[0]},
    )
    assert response.status_code == 302
    clerk.staff.refresh_from_db()
    assert clerk.staff.role == "public_health_officer"
    event = AuditEvent.objects.get(action="update", object_id=str(clerk.pk))
    assert event.changes["role"] == ["township_clerk", "public_health_officer"]
