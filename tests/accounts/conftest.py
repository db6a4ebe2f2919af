import time

import pytest
from django.core.cache import cache
from django_otp.oath import TOTP

from tests import factories

PASSWORD = "Huimin#2026pass"  # what factories.make_staff sets


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # The policy is about which passwords are accepted, not the hash's cost; the
    # default PBKDF2 would make each history check take most of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_permission_cache():
    # Role permissions are cached; a test that edits roles must not leak into the next.
    cache.clear()
    yield
    cache.clear()


def login(client, username, password=PASSWORD, ip="10.1.1.1", **extra):
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )


def totp_code(device, steps_ahead=0) -> str:
    """The device's code now, or `steps_ahead` time steps on (a code not used yet: the
    device accepts one step of drift and refuses a code it has already accepted)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def cashier(county):
    """The account that logs in with a password alone: a village clinic's cashier, who
    reads one village (a county hospital's would need a second factor)."""
    clinic = factories.make_institution("城东村卫生室", factories.VILLAGES[0], "village_clinic", "")
    return factories.make_staff("cashier1", "cashier", factories.VILLAGES[0], institution=clinic)


@pytest.fixture
def sysadmin(county):
    return factories.make_staff("sysadmin1", "system_admin", factories.COUNTY)


@pytest.fixture
def secadmin(county):
    return factories.make_staff("secadmin1", "security_admin", factories.COUNTY)


@pytest.fixture
def verified_client():
    """A client whose force_login also completes the second factor."""
    from huimin.accounts.testing import VerifiedClient

    return VerifiedClient()
