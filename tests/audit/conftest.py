import pytest

from tests import factories


@pytest.fixture
def auditor(county):
    return factories.make_staff("auditor", "audit_admin", factories.COUNTY)


@pytest.fixture
def security_admin(county):
    return factories.make_staff("secadmin", "security_admin", factories.COUNTY)
