"""Fuzz the whole JSON API against its own OpenAPI schema: bad input is never a 500,
every response matches the schema, and errors keep the contract's shape."""

import pytest
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.openapi import from_wsgi

from tests import factories

# keep_test_connection is an autouse fixture: importing it here is what enables it.
from tests.fuzzing import CHECKS, assert_error_shape, keep_test_connection, session_credentials  # noqa: F401

schema = from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def officer_headers(officer, client):
    person = factories.make_person("周一")
    factories.make_household(person)
    factories.make_institution()
    headers, cookies = session_credentials(client, officer)
    return {"headers": headers, "cookies": cookies}


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, officer_headers):
    response = case.call_and_validate(checks=CHECKS, **officer_headers)
    assert_error_shape(response)
