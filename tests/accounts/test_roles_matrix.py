"""The security administrator edits the role × permission matrix; forbidden grants are
refused as a whole, and every change is audited and takes effect at once."""

import pytest

from huimin.audit.models import AuditEvent
from huimin.policy import has_perm
from huimin.registry.models import RolePermission
from tests import factories


@pytest.fixture
def sec(verified_client, secadmin):
    verified_client.force_login(secadmin)
    return verified_client


def matrix() -> set[str]:
    return {f"{r}:{p}" for r, p in RolePermission.objects.values_list("role", "permission")}


def save(client, grants, capture):
    with capture(execute=True):
        return client.post("/accounts/roles/", {"grant": sorted(grants)})


def test_the_matrix_page_shows_what_each_role_holds(sec):
    response = sec.get("/accounts/roles/")
    assert response.status_code == 200
    cells = {c["key"]: c["checked"] for row in response.context["rows"] for c in row["cells"]}
    assert cells["cashier:person.read"] is True
    assert cells["system_admin:person.read"] is False
    assert cells["audit_admin:audit.read"] is True
    assert 'name="grant" value="cashier:person.read"' in response.content.decode()


def test_granting_and_revoking_take_effect_and_are_audited(
    sec, county, django_capture_on_commit_callbacks
):
    assessor = factories.make_staff("assessor1", "assessor", factories.COUNTY)
    assert has_perm(assessor, "person.read")
    assert not has_perm(assessor, "loan.approve")
    wanted = (matrix() - {"assessor:person.read"}) | {"assessor:loan.approve"}
    response = save(sec, wanted, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert matrix() == wanted
    # The cached permissions were forgotten: the change holds on the next request.
    assert not has_perm(assessor, "person.read")
    assert has_perm(assessor, "loan.approve")
    events = AuditEvent.objects.filter(action="config", object_id="assessor")
    assert {key for e in events for key in e.changes} == {"person.read", "loan.approve"}


@pytest.mark.parametrize(
    "grant, reason",
    [
        ("system_admin:person.read", "不得查看居民个人信息"),
        ("audit_admin:person.unmask_id", "不得查看居民个人信息"),
        ("security_admin:person.read", "不得查看居民个人信息"),
        ("insurance_officer:audit.read", "只有审计管理员"),
        ("security_admin:audit.read", "只有审计管理员"),
        ("security_admin:accounts.manage", "只有系统管理员可以管理账号"),
        ("system_admin:roles.manage", "只有安全管理员可以管理角色权限"),
        ("cashier:no.such_permission", "权限不在权限表中"),
        ("janitor:person.read", "角色不在角色表中"),
    ],
)
def test_forbidden_grants_are_refused_and_nothing_changes(
    sec, grant, reason, django_capture_on_commit_callbacks
):
    before = matrix()
    # An allowed change in the same save is not applied either: all or nothing.
    wanted = before | {grant, "assessor:loan.approve"}
    response = save(sec, wanted, django_capture_on_commit_callbacks)
    assert response.status_code == 422
    assert reason in response.content.decode()
    assert matrix() == before


def test_the_security_admin_cannot_lock_the_matrix_away(sec, django_capture_on_commit_callbacks):
    before = matrix()
    response = save(
        sec, before - {"security_admin:roles.manage"}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 422
    assert matrix() == before
