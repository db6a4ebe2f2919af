import pytest

from tests import factories


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's cost is not what the suite tests; a login test that cares sets its own.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client():
    """force_login also completes the second factor, as a privileged user does at login."""
    from huimin.accounts.testing import VerifiedClient

    return VerifiedClient()


@pytest.fixture
def county(db):
    """Two townships and three villages under 新邵县, and one village of the next county."""
    factories.make_regions()


@pytest.fixture
def officer(county):
    return factories.make_staff("officer", "insurance_officer", factories.COUNTY)


@pytest.fixture
def township_clerk(county):
    return factories.make_staff("clerk", "township_clerk", factories.TOWNSHIPS[0])
