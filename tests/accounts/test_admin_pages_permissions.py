"""Account and role administration is for the system and security administrators only."""

import pytest

from huimin.registry.models import Staff
from tests import factories

ADMIN_GETS = [
    "/accounts/staff/",
    "/accounts/staff/new/",
    "/accounts/roles/",
    "/accounts/requests/",
]


@pytest.mark.parametrize("url", ADMIN_GETS)
def test_a_cashier_cannot_reach_admin_pages(verified_client, cashier, url):
    verified_client.force_login(cashier)
    assert verified_client.get(url).status_code == 403


def test_a_cashier_cannot_post_admin_actions(verified_client, cashier, sysadmin):
    verified_client.force_login(cashier)
    for action in ["disable", "password", "2fa", "unlock"]:
        assert verified_client.post(f"/accounts/staff/{sysadmin.pk}/{action}/").status_code == 403
    assert verified_client.post("/accounts/staff/new/", {"username": "x1y"}).status_code == 403
    assert verified_client.post("/accounts/roles/", {"grant": []}).status_code == 403
    sysadmin.refresh_from_db()
    assert sysadmin.is_active


def test_the_security_admin_does_not_manage_accounts(verified_client, secadmin):
    verified_client.force_login(secadmin)
    assert verified_client.get("/accounts/staff/").status_code == 403
    assert verified_client.get("/accounts/roles/").status_code == 200


def test_the_system_admin_does_not_edit_roles(verified_client, sysadmin):
    verified_client.force_login(sysadmin)
    assert verified_client.get("/accounts/roles/").status_code == 403
    assert verified_client.get("/accounts/staff/").status_code == 200


def test_accounts_outside_the_admins_jurisdiction_are_invisible(verified_client, county):
    township_admin = factories.make_staff("sysadm2", "system_admin", factories.TOWNSHIPS[0])
    inside = factories.make_staff("clerk1", "township_clerk", factories.TOWNSHIPS[0])
    outside = factories.make_staff("clerk2", "township_clerk", factories.TOWNSHIPS[1])
    verified_client.force_login(township_admin)
    listing = verified_client.get("/accounts/staff/").content.decode()
    assert "clerk1" in listing and "clerk2" not in listing
    assert verified_client.get(f"/accounts/staff/{inside.pk}/").status_code == 200
    assert verified_client.get(f"/accounts/staff/{outside.pk}/").status_code == 404
    assert verified_client.post(f"/accounts/staff/{outside.pk}/disable/").status_code == 404
    outside.refresh_from_db()
    assert outside.is_active


def test_the_account_list_filters_and_costs_a_fixed_number_of_queries(
    verified_client, sysadmin, county, django_assert_max_num_queries
):
    hospital = factories.make_institution()
    for i in range(12):
        factories.make_staff(f"cashier{i:02d}", "cashier", factories.COUNTY, institution=hospital)
    verified_client.force_login(sysadmin)
    with django_assert_max_num_queries(12):
        response = verified_client.get("/accounts/staff/?role=cashier")
    rows = response.context["rows"]
    assert len(rows) == 12 and all(u.staff.role == "cashier" for u in rows)
    assert Staff.objects.count() == 13
