"""No administrator role can be given a permission that reads residents' data: the
security administrator's matrix page refuses every such pair, and the policy table
says which permissions those are (policy/permissions.py)."""

import pytest

from huimin.accounts import rules
from huimin.policy.permissions import (
    ADMIN_ACTIONS,
    ADMIN_PERMISSION_OWNERS,
    ADMIN_ROLES,
    DEFAULT_GRANTS,
    PERMISSIONS,
    PERSONAL_DATA_PERMISSIONS,
)
from huimin.registry.models import RolePermission
from tests import factories

# Deliberately pinned: a new permission must be placed on one side or the other here.
NOT_PERSONAL_DATA = {
    "institution.write",
    "access.review",
    "access.approve",
    "accounts.manage",
    "roles.manage",
    "audit.read",
    "alerts.manage",
    "duty.write",
    "catalog.read",
    "catalog.manage",
    "catalog.map",
    "enrollment.manage",
    "plan.manage",
    "ledger.read",
    "ledger.post",
    "review.rules",  # rule sets: parameters and weights, no resident
    "reports.read",  # figures and dashboards; a list of people also needs record/person.read
    # assessment: scores and fund amounts per region; its worklists are the reports pages
    "assessment.read",
    "assessment.manage",
}


@pytest.fixture
def sec(verified_client, secadmin):
    verified_client.force_login(secadmin)
    return verified_client


def matrix() -> set[str]:
    return {f"{r}:{p}" for r, p in RolePermission.objects.values_list("role", "permission")}


def test_every_permission_is_classified_as_personal_data_or_not():
    assert set(PERSONAL_DATA_PERMISSIONS) <= set(PERMISSIONS)
    assert set(PERMISSIONS) - set(PERSONAL_DATA_PERMISSIONS) == NOT_PERSONAL_DATA
    # Records, settlements, enrollment (through person.read) and people, as issue 12 lists.
    for perm in ["record.read", "settlement.read", "person.read", "person.unmask_id"]:
        assert perm in PERSONAL_DATA_PERMISSIONS


def test_the_admin_table_is_the_default_grant_and_holds_no_personal_data():
    assert set(ADMIN_ACTIONS) == set(ADMIN_ROLES)
    for role, allowed in ADMIN_ACTIONS.items():
        assert DEFAULT_GRANTS[role] == set(allowed)
        assert not allowed & set(PERSONAL_DATA_PERMISSIONS)
    for perm, owner in ADMIN_PERMISSION_OWNERS.items():
        assert perm in ADMIN_ACTIONS[owner]


def test_no_admin_role_holds_personal_data_in_the_database(db):
    held = RolePermission.objects.filter(
        role__in=sorted(ADMIN_ROLES), permission__in=sorted(PERSONAL_DATA_PERMISSIONS)
    )
    assert not held.exists()


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
@pytest.mark.parametrize("perm", sorted(PERSONAL_DATA_PERMISSIONS))
def test_the_matrix_page_refuses_personal_data_to_every_admin_role(
    sec, role, perm, django_capture_on_commit_callbacks
):
    before = matrix()
    with django_capture_on_commit_callbacks(execute=True):
        response = sec.post("/accounts/roles/", {"grant": sorted(before | {f"{role}:{perm}"})})
    assert response.status_code == 422
    assert response.context["errors"][f"{role}:{perm}"].startswith("系统、安全、审计管理员不得")
    assert "不得查看居民个人信息" in response.content.decode()
    assert matrix() == before


@pytest.mark.parametrize(
    "grant, reason",
    [
        # The oversight of the auditors is the security administrator's alone: in the
        # system administrator's hands it would show the auditors' work on them.
        ("system_admin:alerts.manage", "只有安全管理员可以处理安全告警"),
        ("system_admin:audit.read", "只有审计管理员"),
        ("audit_admin:alerts.manage", "只有安全管理员可以处理安全告警"),
        ("insurance_officer:alerts.manage", "只有安全管理员可以处理安全告警"),
        # Nothing outside an administrator's row, personal data or not.
        ("security_admin:catalog.manage", "超出该管理员的职责范围"),
        ("system_admin:access.approve", "超出该管理员的职责范围"),
        ("audit_admin:duty.write", "超出该管理员的职责范围"),
    ],
)
def test_admin_duties_stay_in_their_row(sec, grant, reason, django_capture_on_commit_callbacks):
    before = matrix()
    with django_capture_on_commit_callbacks(execute=True):
        response = sec.post("/accounts/roles/", {"grant": sorted(before | {grant})})
    assert response.status_code == 422
    assert reason in response.context["errors"][grant]
    assert matrix() == before


def test_ordinary_roles_may_still_be_given_personal_data():
    known = set(PERMISSIONS)
    assert rules.check_grant("assessor", "settlement.read", known) is None
    assert rules.check_grant("township_clerk", "record.read", known) is None


def test_the_issue_12_grants_are_refused_and_the_admins_still_read_nothing(
    sec, county, django_capture_on_commit_callbacks
):
    """Replays the security test: these four grants were accepted, after which the
    administrators read health records, settlements and the settlement CSV."""
    from huimin.accounts.testing import VerifiedClient

    asked = {
        "security_admin:record.read",
        "security_admin:settlement.read",
        "audit_admin:record.read",
        "system_admin:settlement.read",
    }
    before = matrix()
    with django_capture_on_commit_callbacks(execute=True):
        response = sec.post("/accounts/roles/", {"grant": sorted(before | asked)})
    assert response.status_code == 422
    assert asked <= set(response.context["errors"])
    assert matrix() == before
    users = [
        factories.make_staff("sys9", "system_admin", factories.COUNTY),
        factories.make_staff("sec9", "security_admin", factories.COUNTY),
        factories.make_staff("aud9", "audit_admin", factories.COUNTY),
    ]
    for user in users:
        client = VerifiedClient()
        client.force_login(user)
        for url in [
            "/insurance/settlements/",
            "/insurance/settlements/export.csv",
            "/records/",
        ]:
            assert client.get(url).status_code == 403, (user, url)
