"""A database that is down or busy for a moment answers 503 with Retry-After — the
contract's JSON for the API, a plain Chinese page for people — never a 500, and the
request wrote nothing (so a HIS may resend it with the same Idempotency-Key). Any other
fault stays a 500."""

import json

from django.db import OperationalError
from django.test import RequestFactory

from huimin.core import views


def _handled(path: str, exc: Exception):
    """handler500 as Django calls it: inside the except block of the failed request."""
    try:
        raise exc
    except Exception:
        return views.server_error(RequestFactory().get(path))


def test_the_api_answers_503_in_the_error_contract():
    response = _handled("/api/v1/insurance/persons/1", OperationalError("server closed"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    error = json.loads(response.content)["error"]
    assert error["code"] == "database_unavailable"
    assert "稍后重试" in error["message"]


def test_a_page_answers_a_503_page_without_touching_the_database():
    response = _handled("/registry/people/", OperationalError("could not connect"))
    assert response.status_code == 503
    assert "系统暂时不可用" in response.content.decode()


def test_any_other_fault_stays_a_500():
    assert _handled("/registry/people/", ValueError("a bug")).status_code == 500


def test_it_is_the_handler_django_uses():
    from django.urls import get_resolver

    assert get_resolver().resolve_error_handler(500) is views.server_error
