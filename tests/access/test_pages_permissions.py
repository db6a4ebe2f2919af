"""Access pages need a login and access.review or access.approve, stay inside the
officer's jurisdiction, and appear in the menu only for those who may use them."""

import pytest
from django.urls import reverse

from huimin.access import services
from tests import factories
from tests.access import helpers


@pytest.fixture
def pages(hospital):
    return [
        reverse("access:application_list"),
        reverse("access:application_new"),
        reverse("access:access_list"),
        reverse("access:institution_access", args=[hospital.institution.pk]),
        reverse("access:expiring"),
    ]


def test_anonymous_is_sent_to_login(client, pages):
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_roles_without_access_permissions_get_403(client, hospital, pages):
    doctor = factories.make_staff("doc", "doctor", institution=hospital.institution)
    client.force_login(doctor)
    for url in pages:
        assert client.get(url).status_code == 403, url
    assert "接入管理" not in client.get("/").content.decode()


def test_reviewer_and_approver_see_the_pages_and_the_menu(client, staff, pages):
    for who in ("reviewer", "approver"):
        helpers.login_verified(client, staff[who])
        for url in pages:
            expected = 403 if (who == "approver" and url.endswith("/new/")) else 200
            assert client.get(url).status_code == expected, (who, url)
        assert "接入管理" in client.get("/").content.decode()


def test_outside_the_jurisdiction_is_not_found(client, staff, hospital):
    neighbour = factories.make_staff("neighbour", "insurance_officer", jurisdiction="430523")
    helpers.login_verified(client, neighbour)
    app = hospital.institution.access_applications.get()
    assert client.get(reverse("access:application_detail", args=[app.pk])).status_code == 404
    url = reverse("access:institution_access", args=[hospital.institution.pk])
    assert client.get(url).status_code == 404
    listing = client.get(reverse("access:access_list")).content.decode()
    assert hospital.institution.name not in listing
    assert client.get(reverse("access:application_detail", args=[999999])).status_code == 404


def test_officer_sees_no_management_buttons_and_cannot_forge_them(client, staff, hospital):
    helpers.login_verified(client, staff["reviewer"])
    url = reverse("access:institution_access", args=[hospital.institution.pk])
    page = client.get(url).content.decode()
    pk = hospital.institution.pk
    for action in (
        reverse("access:institution_status", args=[pk]),
        reverse("access:credential_issue", args=[pk]),
        reverse("access:credential_keys", args=[hospital.credential.pk]),
        reverse("access:credential_revoke", args=[hospital.credential.pk]),
    ):
        assert action not in page
    response = client.post(
        reverse("access:institution_status", args=[hospital.institution.pk]),
        {"action": "suspend", "reason": "试试"},
        follow=True,
    )
    assert "无权" in response.content.decode()
    hospital.access.refresh_from_db()
    assert hospital.access.status == "active"


def test_pages_need_a_second_factor_for_officers(staff):
    from django.test import Client

    client = Client()
    client.force_login(staff["reviewer"])  # password only, no TOTP yet
    response = client.get(reverse("access:application_list"))
    assert response.status_code == 302
    assert "/login/" not in response["Location"]  # sent to the second factor instead


def test_services_refuse_reading_without_permission(hospital):
    doctor = factories.make_staff("doc2", "doctor", institution=hospital.institution)
    with pytest.raises(services.PermissionDenied):
        services.applications_for(doctor)
