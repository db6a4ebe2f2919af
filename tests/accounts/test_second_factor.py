"""Privileged accounts need a TOTP code after the password: enrol once, then every login."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from huimin.accounts.models import LoginEvent
from tests import factories
from tests.accounts.conftest import login, totp_code


def enrol(client):
    page = client.get("/accounts/2fa/enrol/")
    device = TOTPDevice.objects.get(confirmed=False)
    return page, device


def test_privileged_login_without_totp_reaches_only_enrolment(client, officer):
    response = login(client, "officer")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/enrol/")
    for url in ["/", "/registry/people/", "/accounts/me/", "/accounts/password/"]:
        refused = client.get(url)
        assert refused.status_code == 302, url
        assert refused["Location"].startswith("/accounts/2fa/enrol/"), url
    api = client.get("/api/v1/registry/people")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "second_factor_required"
    # A password alone is not a successful login.
    assert not LoginEvent.objects.filter(username="officer", outcome="success").exists()


def test_enrolment_shows_a_qr_code_and_the_secret_and_confirms_with_a_code(client, officer):
    login(client, "officer")
    page, device = enrol(client)
    body = page.content.decode()
    assert "<svg" in body
    secret = page.context["secret"]
    assert secret in body and len(secret) == 32
    # Reloading shows the same secret: what was scanned stays valid.
    assert client.get("/accounts/2fa/enrol/").context["secret"] == secret
    response = client.post("/accounts/2fa/enrol/", {"code": totp_code(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/registry/people/").status_code == 200
    assert LoginEvent.objects.filter(username="officer", outcome="success").count() == 1


def test_a_wrong_enrolment_code_confirms_nothing(client, officer):
    login(client, "officer")
    _, device = enrol(client)
    response = client.post("/accounts/2fa/enrol/", {"code": "000000"})
    assert response.status_code == 200
    assert "动态口令不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/registry/people/").status_code == 302


def test_every_later_login_asks_for_the_code(client, officer):
    device = TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    response = login(client, "officer")
    assert response["Location"].startswith("/accounts/2fa/?next=")
    assert client.get("/registry/people/")["Location"].startswith("/accounts/2fa/")
    # With a device, the enrolment page cannot be used to add another one.
    assert client.get("/accounts/2fa/enrol/")["Location"].startswith("/accounts/2fa/")
    response = client.post("/accounts/2fa/", {"code": totp_code(device)})
    assert response.status_code == 302
    assert client.get("/registry/people/").status_code == 200
    assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_rapid_guesses_are_throttled(client, officer):
    device = TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    login(client, "officer")
    client.post("/accounts/2fa/", {"code": "000000"})
    # The next try within a second is refused without being checked, even if right.
    response = client.post("/accounts/2fa/", {"code": totp_code(device)})
    assert "尝试过于频繁" in response.content.decode()
    assert client.get("/registry/people/").status_code == 302


def test_a_wrong_code_is_recorded_and_five_end_the_session(client, officer, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no waiting between the test's guesses
    TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    login(client, "officer")
    first = client.post("/accounts/2fa/", {"code": "12345"})
    assert "动态口令不正确" in first.content.decode()
    assert LoginEvent.objects.filter(username="officer", outcome="second_factor_failed").exists()
    for _ in range(4):
        response = client.post("/accounts/2fa/", {"code": "000000"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    # Logged out: even the second-factor page now wants a password first.
    assert client.get("/accounts/2fa/")["Location"].startswith("/login/")
    assert LoginEvent.objects.filter(outcome="second_factor_failed").count() == 5


def test_a_used_code_cannot_be_replayed(client, officer):
    device = TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    code = totp_code(device)
    login(client, "officer")
    assert client.post("/accounts/2fa/", {"code": code}).status_code == 302
    client.post("/logout/")
    login(client, "officer")
    replay = client.post("/accounts/2fa/", {"code": code})
    assert replay.status_code == 200
    assert client.get("/registry/people/").status_code == 302


@pytest.mark.parametrize(
    "username, role, needs",
    [
        ("officer2", "insurance_officer", True),
        ("clerk2", "township_clerk", True),  # holds person.unmask_id
        ("sys2", "system_admin", True),
        ("sec2", "security_admin", True),
        ("aud2", "audit_admin", True),
        # County-wide readers of health records (they used to need none).
        ("ph2", "public_health_officer", True),
        ("assessor2", "assessor", True),
    ],
)
def test_who_needs_a_second_factor(client, county, username, role, needs):
    factories.make_staff(username, role, factories.COUNTY)
    response = login(client, username)
    assert response["Location"].startswith("/accounts/2fa/") is needs


def test_a_role_given_person_unmask_id_needs_a_second_factor(client, county, settings):
    from django.core.cache import cache

    from huimin.registry.models import RolePermission

    # One village's reader: only the full-number permission makes it privileged.
    factories.make_staff("ph3", "public_health_officer", factories.VILLAGES[0])
    RolePermission.objects.create(role="public_health_officer", permission="person.unmask_id")
    cache.clear()
    assert login(client, "ph3")["Location"].startswith("/accounts/2fa/")


def test_a_cashier_logs_in_with_a_password_alone(client, cashier):
    response = login(client, "cashier1")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/accounts/me/").status_code == 200
