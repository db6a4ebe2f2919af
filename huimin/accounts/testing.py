"""Test support for suites that are not about logging in.

`VerifiedClient.force_login` also completes the second factor, as a real privileged user
would have done at the login page; without it the account gate sends every privileged
test user to the TOTP step. It also routes a request as production does (institutions'
bearer requests through the short middleware chain, huimin/core/handlers.py). Use it as
the `client` fixture in tests/conftest.py.
"""

from django.test import Client
from django.test.client import ClientHandler
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from huimin.core.handlers import MachineChain, is_machine_request


def verify_second_factor(client: Client, user) -> TOTPDevice:
    """Mark the client's (logged-in) session as having given the user's TOTP code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="测试", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


class _MachineClientHandler(MachineChain, ClientHandler):
    pass


class _DispatchingHandler:
    """Routes each request as huimin.wsgi.application does in production."""

    def __init__(self, *args, **kwargs):
        self.people = ClientHandler(*args, **kwargs)
        self.machines = _MachineClientHandler(*args, **kwargs)

    def __call__(self, environ):
        handler = self.machines if is_machine_request(environ) else self.people
        return handler(environ)


class VerifiedClient(Client):
    def __init__(self, enforce_csrf_checks=False, **defaults):
        super().__init__(enforce_csrf_checks, **defaults)
        self.handler = _DispatchingHandler(enforce_csrf_checks)

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        verify_second_factor(self, user)
