import pytest

from tests.access import helpers


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Four staff accounts per test: PBKDF2 would make hashing most of the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(county):
    return helpers.people()


@pytest.fixture
def hospital(staff):
    """新邵县人民医院 with approved access, one credential, one ES256 key, one terminal."""
    return helpers.onboard(staff)
