"""Five wrong passwords lock (username, address) for 15 minutes; other addresses are not."""

import datetime

import pytest
from axes.models import AccessAttempt

from huimin.accounts.models import LoginEvent
from tests.accounts.conftest import PASSWORD, login


def fail(client, username, times, ip):
    responses = [login(client, username, "Wrong#pass1", ip=ip) for _ in range(times)]
    return responses


def test_after_five_failures_even_the_right_password_is_refused(client, cashier):
    responses = fail(client, "cashier1", 5, "10.0.0.7")
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert "用户名或密码错误" in responses[0].content.decode()
    assert responses[4].status_code == 429  # the fifth failure locks
    response = login(client, "cashier1", PASSWORD, ip="10.0.0.7")
    assert response.status_code == 429
    body = response.content.decode()
    assert "账号已锁定" in body and "15 分钟" in body
    # Not logged in: pages still send the visitor to the login page.
    assert client.get("/accounts/me/")["Location"].startswith("/login/")
    assert LoginEvent.objects.filter(username="cashier1", outcome="locked").count() == 2


def test_another_address_for_the_same_user_is_not_locked(client, cashier):
    fail(client, "cashier1", 5, "10.0.0.7")
    response = login(client, "cashier1", PASSWORD, ip="10.0.0.8")
    assert response.status_code == 302
    assert client.get("/accounts/me/").status_code == 200


def test_another_user_behind_the_same_address_is_not_locked(client, cashier, county):
    from tests import factories

    factories.make_staff(
        "doctor1", "village_doctor", factories.VILLAGES[0], institution=cashier.staff.institution
    )
    fail(client, "cashier1", 5, "10.0.0.7")
    assert login(client, "doctor1", PASSWORD, ip="10.0.0.7").status_code == 302


def test_the_lock_ends_after_fifteen_minutes(client, cashier):
    fail(client, "cashier1", 5, "10.0.0.7")
    assert login(client, "cashier1", PASSWORD, ip="10.0.0.7").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )
    assert login(client, "cashier1", PASSWORD, ip="10.0.0.7").status_code == 302


def test_four_failures_then_success_start_the_count_again(client, cashier):
    fail(client, "cashier1", 4, "10.0.0.7")
    assert login(client, "cashier1", PASSWORD, ip="10.0.0.7").status_code == 302
    client.post("/logout/")
    responses = fail(client, "cashier1", 4, "10.0.0.7")
    assert all(r.status_code == 200 for r in responses)
    assert login(client, "cashier1", PASSWORD, ip="10.0.0.7").status_code == 302


@pytest.mark.parametrize("ip", ["10.0.0.9"])
def test_a_spoofed_forwarded_for_does_not_escape_the_lock(client, cashier, ip):
    fail(client, "cashier1", 5, ip)
    response = login(client, "cashier1", PASSWORD, ip=ip, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert response.status_code == 429
