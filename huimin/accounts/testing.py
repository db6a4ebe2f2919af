"""Test support for suites that are not about logging in.

`VerifiedClient.force_login` also completes the second factor, as a real privileged user
would have done at the login page; without it the account gate sends every privileged
test user to the TOTP step. Use it as the `client` fixture in tests/conftest.py.
"""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def verify_second_factor(client: Client, user) -> TOTPDevice:
    """Mark the client's (logged-in) session as having given the user's TOTP code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="测试", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


class VerifiedClient(Client):
    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        verify_second_factor(self, user)
