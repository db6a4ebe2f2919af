"""Fuzz the enrollment API against its own OpenAPI schema: bad input is never a 500,
responses match the schema, errors keep the contract's shape."""

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.openapi import from_wsgi

from tests import factories
from tests.enrollment import urls as test_urls

_django = get_wsgi_application()


def app(environ, start_response):
    # The enrollment API as tests/enrollment/urls.py mounts it (until huimin/api.py does).
    with override_settings(ROOT_URLCONF="tests.enrollment.urls"):
        return _django(environ, start_response)


OPENAPI = "/api/v1/openapi.json" if test_urls._api_mounted else "/api/v1/enrollment/openapi.json"
schema = from_wsgi(OPENAPI, app).include(path_regex="^/api/v1/enrollment/")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_test_connection():
    # As Django's test client does: a request must not close the connection that holds
    # the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def officer_headers(officer, client, period, family):
    factories.make_institution()
    client.force_login(officer)
    session = client.cookies["sessionid"].value
    csrf = "a" * 32
    return {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf}


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, officer_headers):
    response = case.call_and_validate(headers=officer_headers, checks=CHECKS)
    if response.status_code >= 400:
        body = response.json()
        assert set(body["error"]) == {"code", "message", "fields"}
