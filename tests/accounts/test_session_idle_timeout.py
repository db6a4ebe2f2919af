"""A session idle longer than SESSION_COOKIE_AGE is over; activity keeps it alive."""

import time

import pytest

from tests.accounts.conftest import login


@pytest.fixture
def short_sessions(settings):
    settings.SESSION_COOKIE_AGE = 2


def test_an_idle_session_is_sent_to_login(client, cashier, short_sessions):
    assert login(client, "cashier1").status_code == 302
    assert client.get("/accounts/me/").status_code == 200
    time.sleep(2.5)
    response = client.get("/accounts/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_activity_extends_the_session(client, cashier, short_sessions):
    login(client, "cashier1")
    for _ in range(3):
        time.sleep(1.2)  # 3.6 s in all, longer than the timeout, but never 2 s idle
        assert client.get("/accounts/me/").status_code == 200
