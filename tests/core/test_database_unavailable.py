"""A database that is down or busy for a moment answers 503 with Retry-After — the
contract's JSON for the API, a plain Chinese page for people — never a 500, and the
request wrote nothing (so a HIS may resend it with the same Idempotency-Key)."""

import json

from django.db import OperationalError
from django.test import RequestFactory

from huimin.core.middleware import DatabaseUnavailableMiddleware


def _answer(path: str, exc: Exception):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    return middleware.process_exception(RequestFactory().get(path), exc)


def test_the_api_answers_503_in_the_error_contract():
    response = _answer("/api/v1/insurance/persons/1", OperationalError("server closed"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("application/json")
    error = json.loads(response.content)["error"]
    assert error["code"] == "database_unavailable"
    assert "稍后重试" in error["message"]


def test_a_page_answers_a_503_page_without_touching_the_database():
    response = _answer("/registry/people/", OperationalError("could not connect"))
    assert response.status_code == 503
    assert "系统暂时不可用" in response.content.decode()


def test_other_errors_are_not_its_business():
    assert _answer("/api/v1/x", ValueError("bug")) is None
