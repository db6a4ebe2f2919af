"""Errors raised below the API layer still come back in the contract's JSON shape."""

import json

from django.http import HttpResponse, HttpResponseServerError
from django.test import RequestFactory

from huimin.core.middleware import ApiErrorShapeMiddleware


def shaped(path, response):
    return ApiErrorShapeMiddleware(lambda request: response)(RequestFactory().get(path))


def test_unknown_api_path_is_json(client, db):
    r = client.get("/api/v1/no/such/thing")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_a_server_error_under_the_api_is_json_without_details():
    r = shaped("/api/v1/x", HttpResponseServerError("<h1>Traceback secret</h1>"))
    assert r.status_code == 500
    assert r["Content-Type"].startswith("application/json")
    assert b"secret" not in r.content
    body = json.loads(r.content)
    assert body["error"]["code"] == "internal_error"
    assert set(body["error"]) == {"code", "message", "fields"}


def test_pages_outside_the_api_are_left_alone():
    page = HttpResponse("<h1>未找到</h1>", status=404)
    assert shaped("/registry/people/9/", page) is page
