"""Institutions' systems reach the API through the WSGI application's short chain.

These tests call `huimin.wsgi.application` itself, as gunicorn does, rather than the
test client (which always walks the full middleware chain).
"""

import io
import json
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from huimin.audit.models import AuditEvent
from huimin.core.handlers import is_machine_request
from tests.access import helpers

API = "/api/v1/insurance"


@pytest.fixture
def wsgi():
    from huimin.wsgi import application

    def call(method, path, *, headers=None, body=None, query=""):
        data = json.dumps(body).encode() if body is not None else b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REMOTE_ADDR": helpers.IP,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
        }
        environ.update(headers or {})
        setup_testing_defaults(environ)
        environ["SERVER_NAME"] = "127.0.0.1"  # an allowed host
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"] = int(status.split()[0])
            answer["headers"] = dict(response_headers)

        # As Django's test client does: the test's transaction keeps its connection.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            chunks = application(environ, start_response)
            content = b"".join(chunks)
            if hasattr(chunks, "close"):
                chunks.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return answer["status"], answer["headers"], content

    return call


@pytest.fixture
def his(insured, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    inst = helpers.onboard(helpers.people(), name="新邵县中医医院")
    token = helpers.get_token(client, inst)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_X_HUIMIN_TERMINAL": inst.terminal}


def test_only_bearer_requests_to_the_api_take_the_short_chain():
    bearer = {"HTTP_AUTHORIZATION": "Bearer abc"}
    assert is_machine_request({"PATH_INFO": "/api/v1/insurance/visits", **bearer})
    assert not is_machine_request({"PATH_INFO": "/api/v1/insurance/visits"})
    assert not is_machine_request({"PATH_INFO": "/cashier/", **bearer})
    assert not is_machine_request(
        {"PATH_INFO": "/api/v1/records/1", "HTTP_AUTHORIZATION": "Basic YTpi"}
    )


def test_a_lookup_over_the_short_chain_answers_and_is_audited(insured, his, wsgi):
    status, headers, content = wsgi(
        "GET", f"{API}/persons/{insured.id_number}", headers=his, query="on=2026-03-02"
    )
    assert status == 200, content
    body = json.loads(content)
    assert body["insured"] is True
    assert body["id_number"].count("*") == 8  # masked for the institution
    # The security headers every response carries.
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    read = AuditEvent.objects.filter(
        action="read", object_type="registry.person", object_id=str(insured.person.pk)
    ).latest("seq")
    assert read.institution_id is not None and read.source_ip == helpers.IP


def test_a_bearer_token_opens_no_staff_endpoint(insured, his, wsgi):
    # The records API takes staff sessions only: a machine is nobody there.
    status, _headers, content = wsgi("GET", "/api/v1/records/1", headers=his)
    assert status == 401
    assert set(json.loads(content)["error"]) == {"code", "message", "fields"}


def test_errors_keep_the_contract_shape_on_the_short_chain(insured, his, wsgi):
    status, _headers, content = wsgi("GET", f"{API}/no-such-transaction", headers=his)
    assert status == 404
    assert json.loads(content)["error"]["code"] == "not_found"
    status, _headers, content = wsgi(
        "GET",
        f"{API}/persons/{insured.id_number}",
        headers={**his, "HTTP_AUTHORIZATION": "Bearer x"},
    )
    assert status == 401
    assert json.loads(content)["error"]["code"] == "token_invalid"


def test_staff_pages_still_walk_the_full_chain(db, wsgi):
    # Without a session, a page sends the visitor to the login page (the staff gate);
    # the short chain has no such step.
    status, headers, _content = wsgi("GET", "/insurance/cashier/")
    assert status == 302 and "/login/" in headers["Location"]


def test_a_foreign_host_header_is_refused_on_the_short_chain(insured, his, wsgi):
    status, _headers, content = wsgi(
        "GET", f"{API}/persons/{insured.id_number}", headers={**his, "HTTP_HOST": "evil.example"}
    )
    assert status == 400
    assert json.loads(content)["error"]["code"] == "http_error"
