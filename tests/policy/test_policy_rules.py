"""The pure rules of the policy layer: no database."""

import pytest

from huimin.policy import rules
from huimin.policy.permissions import DEFAULT_GRANTS, PERMISSIONS, PERSONAL_DATA_PERMISSIONS
from huimin.policy.roles import ADMIN_ROLES, INSTITUTION_ROLES, Role


def test_no_jurisdiction_is_within_nothing():
    assert not rules.within(None, "430522100201")
    assert not rules.within(None, "")


def test_a_row_without_a_region_is_within_nothing():
    assert not rules.within("430522", None)


def test_a_prefix_holds_the_codes_below_it_only():
    assert rules.within("430522", "430522100201")
    assert rules.within("430522100201", "430522100201")
    assert not rules.within("430522", "430523100201")
    assert not rules.within("430522100", "430522")  # above the jurisdiction


def test_the_empty_prefix_is_everywhere():
    # Only a Staff row can carry it (a province-wide role); no code path makes it.
    assert rules.within("", "430522100201")


def test_an_unknown_permission_is_a_programming_error_not_a_refusal():
    with pytest.raises(ValueError, match=r"person\.raed"):
        rules.holds(frozenset({"person.read"}), "person.raed", PERMISSIONS)
    assert rules.holds(frozenset({"person.read"}), "person.read", PERMISSIONS)
    assert not rules.holds(frozenset(), "person.read", PERMISSIONS)


def test_every_named_table_speaks_of_known_roles_and_permissions():
    assert set(DEFAULT_GRANTS) == set(Role.values)
    for perms in DEFAULT_GRANTS.values():
        assert perms <= PERMISSIONS.keys()
    assert PERSONAL_DATA_PERMISSIONS <= PERMISSIONS.keys()
    assert ADMIN_ROLES <= set(Role.values) and INSTITUTION_ROLES <= set(Role.values)


def test_no_administrator_is_granted_personal_data_by_default():
    for role in ADMIN_ROLES:
        assert not DEFAULT_GRANTS[role] & PERSONAL_DATA_PERMISSIONS, role


@pytest.mark.parametrize(
    "perm",
    ["person.read", "person.unmask_id", "record.read", "settlement.read", "loan.approve"],
)
def test_the_reads_of_residents_data_are_named_personal(perm):
    assert perm in PERSONAL_DATA_PERMISSIONS


# enrollment.manage sets periods and rates; the enrollment lists themselves need person.read.
@pytest.mark.parametrize(
    "perm", ["catalog.read", "roles.manage", "accounts.manage", "duty.write", "enrollment.manage"]
)
def test_reference_data_and_administration_are_not_personal(perm):
    assert perm not in PERSONAL_DATA_PERMISSIONS
