"""Password spraying: one address trying many names (each under axes' five-try lockout)
is refused with 429 once it passes the address's failure limit, for every name and even
the right password; another address is not affected."""

import pytest

from huimin.accounts.models import LoginEvent
from tests.accounts.conftest import PASSWORD, login


@pytest.fixture
def low_limit(settings):
    settings.HUIMIN_RATE_LIMITS = {
        **settings.HUIMIN_RATE_LIMITS,
        "auth_failure": (6, 60, "认证失败"),
    }


def test_many_names_from_one_address_are_stopped(client, cashier, low_limit):
    statuses = [
        login(client, f"nobody{i}", "Wrong#pass12", ip="10.0.0.9").status_code for i in range(6)
    ]
    assert statuses == [200] * 6  # each a wrong password for a different name
    refused = login(client, "cashier1", PASSWORD, ip="10.0.0.9")
    assert refused.status_code == 429
    assert "认证失败过于频繁" in refused.content.decode()
    assert "Retry-After" in refused
    assert not LoginEvent.objects.filter(username="cashier1", outcome="success").exists()


def test_another_address_still_logs_in(client, cashier, low_limit):
    for i in range(7):
        login(client, f"nobody{i}", "Wrong#pass12", ip="10.0.0.9")
    response = login(client, "cashier1", PASSWORD, ip="10.0.0.10")
    assert response.status_code == 302
