import pytest

from tests.access import helpers


@pytest.fixture
def staff(county):
    return helpers.people()


@pytest.fixture
def hospital(staff):
    """新邵县人民医院 with approved access, one credential, one ES256 key, one terminal."""
    return helpers.onboard(staff)
