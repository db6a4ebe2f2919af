"""An expired (or administrator-reset) password lets the user reach only the change page."""

import datetime

import pytest
from django.utils import timezone

from huimin.accounts.models import AccountState
from tests.accounts.conftest import PASSWORD

NEW = "Xq7#pLm2va"


@pytest.fixture
def expired(client, cashier, monkeypatch):
    monkeypatch.setenv("HUIMIN_PASSWORD_MAX_AGE_DAYS", "90")
    AccountState.objects.filter(user=cashier).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    client.force_login(cashier)
    return cashier


def test_expired_password_sends_every_page_to_the_change_page(client, expired):
    for url in ["/", "/accounts/me/", "/registry/people/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/password/?next="), url
    page = client.get("/accounts/password/")
    assert page.status_code == 200
    assert "须先修改密码" in page.content.decode()


def test_expired_password_refuses_the_api_with_a_contract_error(client, expired):
    response = client.get("/api/v1/registry/people")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_expired"
    assert response.json()["error"]["message"]


def test_changing_the_password_lets_the_user_through(client, expired):
    response = client.post(
        "/accounts/password/?next=/accounts/me/",
        {
            "old_password": PASSWORD,
            "new_password1": NEW,
            "new_password2": NEW,
            "next": "/accounts/me/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert client.get("/accounts/me/").status_code == 200


def test_a_password_89_days_old_is_still_good(client, cashier, monkeypatch):
    monkeypatch.setenv("HUIMIN_PASSWORD_MAX_AGE_DAYS", "90")
    AccountState.objects.filter(user=cashier).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=89)
    )
    client.force_login(cashier)
    assert client.get("/accounts/me/").status_code == 200


def test_the_age_limit_comes_from_the_environment(client, cashier, monkeypatch):
    AccountState.objects.filter(user=cashier).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=31)
    )
    client.force_login(cashier)
    monkeypatch.setenv("HUIMIN_PASSWORD_MAX_AGE_DAYS", "30")
    assert client.get("/accounts/me/").status_code == 302
    monkeypatch.setenv("HUIMIN_PASSWORD_MAX_AGE_DAYS", "abc")
    from django.core.exceptions import ImproperlyConfigured

    from huimin.accounts import conf

    with pytest.raises(ImproperlyConfigured, match="HUIMIN_PASSWORD_MAX_AGE_DAYS"):
        conf.password_max_age_days()


def test_logout_is_still_possible_with_an_expired_password(client, expired):
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/accounts/me/")["Location"].startswith("/login/")
