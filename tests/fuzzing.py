"""What the schemathesis fuzz tests share: checks, session credentials, the error shape."""

import pytest
from django.core import signals
from django.db import close_old_connections
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_test_connection():
    # As Django's test client does: a request must not close the connection that holds
    # the test's transaction, or the app would not see the session written by the test.
    detach_connection_closing()
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def detach_connection_closing() -> None:
    """Stop requests closing the test's connection. Django's test client puts the
    handlers back after each of its own requests, so a fixture that used it calls this
    again before the fuzz's requests (PostgreSQL closes a connection found outside
    autocommit; the in-memory SQLite one survives, which hid this)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)


def session_credentials(client, user) -> tuple[dict, dict]:
    """(headers, cookies) of a logged-in (second-factor verified) session, for
    `case.call(headers=..., cookies=...)` through schemathesis' WSGI transport.

    Werkzeug's test client sends the cookies of its own jar and drops a `Cookie` header
    it is given, so a session passed as a header never reaches the application over
    that transport: every request would be anonymous. Cookies go in the jar; the CSRF
    token, which Django reads from the header, stays a header."""
    client.force_login(user)
    csrf = "a" * 32
    return {"X-CSRFToken": csrf}, {
        "sessionid": client.cookies["sessionid"].value,
        "csrftoken": csrf,
    }


def assert_error_shape(response) -> None:
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}
