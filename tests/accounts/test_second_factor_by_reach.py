"""A second factor for every administrator and every role that reads personal data
beyond one village (DESIGN §6), derived from the role's permissions and jurisdiction."""

import pytest
from django.core.cache import cache

from huimin.accounts import rules
from huimin.registry.models import RolePermission
from tests import factories
from tests.accounts.conftest import login


def asks_for_code(client, username) -> bool:
    response = login(client, username)
    assert response.status_code == 302
    return response["Location"].startswith("/accounts/2fa/")


@pytest.mark.parametrize(
    "role, jurisdiction, needs",
    [
        # County-wide readers of health records: the finding.
        ("public_health_officer", factories.COUNTY, True),
        ("assessor", factories.COUNTY, True),
        ("insurance_officer", factories.COUNTY, True),
        ("township_clerk", factories.TOWNSHIPS[0], True),
        ("system_admin", factories.COUNTY, True),
        ("security_admin", factories.COUNTY, True),
        ("audit_admin", factories.COUNTY, True),
        # One village's reader: a password alone.
        ("public_health_officer", factories.VILLAGES[0], False),
        ("assessor", factories.VILLAGES[0], False),
    ],
)
def test_who_needs_a_second_factor_by_role_and_reach(client, county, role, jurisdiction, needs):
    factories.make_staff("someone", role, jurisdiction)
    assert asks_for_code(client, "someone") is needs


@pytest.mark.parametrize("role", ["cashier", "doctor", "village_doctor"])
def test_institution_staff_need_one_when_their_reach_is_wider_than_a_village(client, county, role):
    hospital = factories.make_institution()
    factories.make_staff("wide", role, factories.COUNTY, institution=hospital)
    clinic = factories.make_institution("城东村卫生室", factories.VILLAGES[0], "village_clinic", "")
    factories.make_staff("narrow", role, factories.VILLAGES[0], institution=clinic)
    assert asks_for_code(client, "wide")
    client.post("/logout/")
    assert not asks_for_code(client, "narrow")


def test_losing_every_personal_data_permission_drops_the_second_factor(client, county):
    factories.make_staff("assessor9", "assessor", factories.COUNTY)
    RolePermission.objects.filter(
        role="assessor", permission__in=sorted(rules.PERSONAL_DATA_PERMISSIONS)
    ).delete()
    cache.clear()
    assert not asks_for_code(client, "assessor9")


def test_the_rule_as_a_pure_function():
    reads = frozenset({"person.read"})
    assert rules.needs_second_factor("assessor", frozenset({"record.read"}), False, "430522")
    assert not rules.needs_second_factor("assessor", reads, False, "430522100201")
    assert not rules.needs_second_factor("assessor", frozenset({"catalog.read"}), False, "43")
    assert rules.needs_second_factor("security_admin", frozenset(), False, "430522100201")
    assert rules.needs_second_factor(None, frozenset(), True, None)
    assert not rules.needs_second_factor(None, reads, False, None)
