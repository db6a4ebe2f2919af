"""A CSRF failure answers in Chinese with the project's code: the JSON error shape under
/api/ (it was ninja's `http_error` "CSRF check Failed") and a Chinese page elsewhere
(it was Django's English page)."""

import json

import pytest
from django.test import Client

from huimin.accounts.testing import verify_second_factor
from huimin.registry.models import Person
from tests import factories


@pytest.fixture
def strict(officer):
    """A logged-in browser whose requests are CSRF-checked, as a real one's are."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    verify_second_factor(client, officer)
    return client


def person_body() -> str:
    return json.dumps(
        {"name": "李四", "id_number": factories.valid_id(), "village_code": factories.VILLAGES[0]}
    )


def test_an_api_call_without_the_token_gets_csrf_failed_in_chinese(strict):
    r = strict.post("/api/v1/registry/people", person_body(), content_type="application/json")
    assert r.status_code == 403
    error = r.json()["error"]
    assert error == {
        "code": "csrf_failed",
        "message": error["message"],
        "fields": {},
    }
    assert "安全令牌" in error["message"]
    assert "CSRF check" not in r.content.decode()
    assert not Person.objects.exists()


def test_an_api_call_with_a_wrong_token_gets_csrf_failed(strict):
    strict.get("/")  # sets the CSRF cookie
    r = strict.post(
        "/api/v1/registry/people",
        person_body(),
        content_type="application/json",
        HTTP_X_CSRFTOKEN="x" * 32,
    )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "csrf_failed"


def test_a_page_form_without_the_token_gets_a_chinese_page(strict, officer):
    before = officer.password
    r = strict.post("/accounts/password/", {"old_password": "x", "new_password1": "y"})
    assert r.status_code == 403
    html = r.content.decode()
    assert "安全校验失败" in html and "刷新页面" in html
    assert "CSRF verification failed" not in html
    officer.refresh_from_db()
    assert officer.password == before


def test_the_login_form_without_the_cookie_says_so():
    r = Client(enforce_csrf_checks=True).post("/login/", {"username": "a", "password": "b"})
    assert r.status_code == 403
    assert "Cookie" in r.content.decode() and "安全校验失败" in r.content.decode()


def test_a_session_api_call_with_the_token_still_works(strict):
    strict.get("/")
    token = strict.cookies["csrftoken"].value
    r = strict.post(
        "/api/v1/registry/people",
        person_body(),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert r.status_code == 201, r.content
