"""System, security and audit administration are three roles, one per account, and none
of them reads residents' personal data."""

import pytest
from django.db import IntegrityError, transaction

from huimin.accounts import rules
from huimin.policy import ADMIN_ROLES, has_perm
from huimin.registry.models import Role, RolePermission, Staff


def test_an_account_cannot_hold_two_roles(sysadmin):
    with pytest.raises(IntegrityError), transaction.atomic():
        Staff.objects.create(user=sysadmin, role="security_admin", jurisdiction="430522")
    assert list(Staff.objects.filter(user=sysadmin).values_list("role", flat=True)) == [
        "system_admin"
    ]


def test_the_three_admin_roles_are_distinct_roles(db):
    assert {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN} == set(ADMIN_ROLES)
    assert len(ADMIN_ROLES) == 3


def test_no_admin_role_holds_a_person_permission(db):
    held = RolePermission.objects.filter(role__in=sorted(ADMIN_ROLES))
    assert held.exists()
    assert not held.filter(permission__startswith="person.").exists()


def test_admin_accounts_cannot_read_people(sysadmin, secadmin, county):
    from tests import factories

    auditor = factories.make_staff("audit1", "audit_admin", factories.COUNTY)
    for user in (sysadmin, secadmin, auditor):
        assert not has_perm(user, "person.read")
        assert not has_perm(user, "person.unmask_id")


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
@pytest.mark.parametrize("perm", ["person.read", "person.unmask_id"])
def test_the_rules_refuse_person_permissions_to_admin_roles(role, perm):
    assert rules.check_grant(role, perm, {perm}) is not None


def test_only_the_audit_admin_may_read_the_audit_log():
    known = {"audit.read"}
    assert rules.check_grant("audit_admin", "audit.read", known) is None
    for role in Role.values:
        if role != "audit_admin":
            assert rules.check_grant(role, "audit.read", known) is not None
