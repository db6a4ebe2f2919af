"""Fuzz the catalog API against its own OpenAPI schema: bad input is never a 500, every
response matches the schema, and errors keep the contract's shape."""

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.openapi import from_wsgi

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The catalog's operations in the production API's schema, as the project mounts them.
schema = from_wsgi("/api/v1/openapi.json", get_wsgi_application()).include(
    path_regex="^/api/v1/catalog/"
)


@pytest.fixture(autouse=True)
def keep_test_connection():
    # As Django's test client does: a request must not close the connection that holds
    # the test's transaction, or the app would not see the session written by the test.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def cashier_headers(cashier, client, amino):
    # As a cookie, not a Cookie header: Werkzeug's test client drops the header.
    client.force_login(cashier)
    return {"sessionid": client.cookies["sessionid"].value}


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_catalog_api_conforms_to_its_schema(case, cashier_headers):
    response = case.call_and_validate(cookies=cashier_headers, checks=CHECKS)
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}
