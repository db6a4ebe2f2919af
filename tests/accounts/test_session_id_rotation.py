"""The session id changes at each authentication step: after the password and again after
the TOTP code, so an id seen before either step never becomes an authenticated session."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import login, totp_code


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_key_changes_after_the_password_and_after_the_code(client, officer):
    device = TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    client.get("/login/")
    client.session.save()  # a session before any step, as a shared PC's browser has
    before = session_key(client)
    response = login(client, "officer")
    assert response["Location"].startswith("/accounts/2fa/")
    after_password = session_key(client)
    assert after_password != before
    response = client.post("/accounts/2fa/", {"code": totp_code(device)})
    assert response.status_code == 302
    after_code = session_key(client)
    assert after_code != after_password
    # The old ids are gone, and the new one reaches the pages.
    assert not Session.objects.filter(session_key__in=[before, after_password]).exists()
    assert client.get("/registry/people/").status_code == 200


def test_the_key_changes_when_enrolment_confirms_the_first_code(client, officer):
    login(client, "officer")
    client.get("/accounts/2fa/enrol/")
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    after_password = session_key(client)
    response = client.post("/accounts/2fa/enrol/", {"code": totp_code(device)})
    assert response.status_code == 302
    assert session_key(client) != after_password
