import pytest

from tests import factories


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
