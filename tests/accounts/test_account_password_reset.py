"""An administrator's reset gives a temporary password the user must change at login."""

import pytest

from huimin.accounts import administration
from huimin.core.errors import PermissionDenied
from tests import factories
from tests.accounts.conftest import PASSWORD, login


@pytest.fixture
def admin(verified_client, sysadmin):
    verified_client.force_login(sysadmin)
    return verified_client


def test_reset_shows_a_temporary_password_and_forces_a_change(admin, client, cashier):
    login(client, "cashier1")
    response = admin.post(f"/accounts/staff/{cashier.pk}/password/")
    assert response.status_code == 200
    temporary = response.context["password"]
    # The old session ends with the old password; the old password no longer works.
    assert client.get("/accounts/me/")["Location"].startswith("/login/")
    assert login(client, "cashier1", PASSWORD).status_code == 200
    assert login(client, "cashier1", temporary).status_code == 302
    assert client.get("/accounts/me/")["Location"].startswith("/accounts/password/")
    new = "Xq7#pLm2va"
    client.post(
        "/accounts/password/",
        {"old_password": temporary, "new_password1": new, "new_password2": new},
    )
    assert client.get("/accounts/me/").status_code == 200


def test_reset_by_get_changes_nothing(admin, cashier):
    before = cashier.password
    assert admin.get(f"/accounts/staff/{cashier.pk}/password/").status_code == 405
    cashier.refresh_from_db()
    assert cashier.password == before


def test_an_administrator_cannot_reset_their_own_password_here(sysadmin):
    before = sysadmin.password
    with pytest.raises(PermissionDenied):
        administration.do_reset_password(sysadmin, sysadmin.pk)
    sysadmin.refresh_from_db()
    assert sysadmin.password == before


def test_second_factor_reset_makes_the_user_enrol_again(admin, client, county):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # A township clerk: an ordinary account, reset by one administrator (a county-wide
    # reader's reset takes a second one: test_four_eyes_requests.py).
    clerk = factories.make_staff("clerk1", "township_clerk", factories.TOWNSHIPS[0])
    TOTPDevice.objects.create(user=clerk, name="旧手机", confirmed=True)
    assert admin.post(f"/accounts/staff/{clerk.pk}/2fa/").status_code == 302
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    login(client, "clerk1")
    assert client.get("/")["Location"].startswith("/accounts/2fa/enrol/")
