"""Fuzz the enrollment API against its own OpenAPI schema: bad input is never a 500,
responses match the schema, errors keep the contract's shape."""

import pytest
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.openapi import from_wsgi

from tests import factories
from tests.enrollment import urls as test_urls

# keep_test_connection is an autouse fixture: importing it here is what enables it.
from tests.fuzzing import CHECKS, assert_error_shape, keep_test_connection, session_credentials  # noqa: F401

_django = get_wsgi_application()


def app(environ, start_response):
    # The enrollment API as tests/enrollment/urls.py mounts it (until huimin/api.py does).
    with override_settings(ROOT_URLCONF="tests.enrollment.urls"):
        return _django(environ, start_response)


OPENAPI = "/api/v1/openapi.json" if test_urls._api_mounted else "/api/v1/enrollment/openapi.json"
schema = from_wsgi(OPENAPI, app).include(path_regex="^/api/v1/enrollment/")


@pytest.fixture
def officer_headers(officer, client, period, family):
    factories.make_institution()
    headers, cookies = session_credentials(client, officer)
    return {"headers": headers, "cookies": cookies}


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, officer_headers):
    response = case.call_and_validate(checks=CHECKS, **officer_headers)
    assert_error_shape(response)
