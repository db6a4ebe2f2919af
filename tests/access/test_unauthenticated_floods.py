"""Floods of bogus tokens and bogus assertions: counted per address and minute, audited
at 1, 10, 100 … (not one row each), and answered 429 past the limit; the token endpoint
is limited per address and per credential."""

import datetime

import pytest
from django.utils import timezone

from huimin.access import tokens
from huimin.audit.models import AuditEvent
from huimin.core.models import RateCounter
from tests.access import helpers


@pytest.fixture
def low_limits(settings):
    settings.HUIMIN_RATE_LIMITS = {
        **settings.HUIMIN_RATE_LIMITS,
        "auth_failure": (20, 60, "认证失败"),
        "token": (5, 60, "令牌申请"),
    }


def bogus_whoami(client, hospital, n: int, ip=helpers.IP):
    return [
        helpers.whoami(client, f"bogus-{i}", terminal=hospital.terminal, ip=ip) for i in range(n)
    ]


def test_a_hundred_bogus_tokens_write_a_handful_of_audit_rows(client, hospital, settings):
    settings.HUIMIN_RATE_LIMITS = {
        **settings.HUIMIN_RATE_LIMITS,
        "auth_failure": (1000, 60, "认证失败"),
    }
    responses = bogus_whoami(client, hospital, 100)
    assert {r.status_code for r in responses} == {401}
    events = AuditEvent.objects.filter(action="api_refused").order_by("seq")
    # The 1st, 10th and 100th failure of the minute, the count in the later ones.
    assert [e.reason for e in events] == [
        "token_invalid",
        "token_invalid (本分钟第10次)",
        "token_invalid (本分钟第100次)",
    ]
    assert {e.source_ip for e in events} == {helpers.IP}


def test_failures_past_the_limit_are_answered_429(client, hospital, low_limits):
    responses = bogus_whoami(client, hospital, 22)
    assert [r.status_code for r in responses[:20]] == [401] * 20
    last = responses[-1]
    assert last.status_code == 429
    assert helpers.error_code(last) == "rate_limited"
    assert "认证失败过于频繁" in last.json()["error"]["message"]
    assert 1 <= int(last["Retry-After"]) <= 61


def test_another_address_is_counted_on_its_own(client, hospital, low_limits):
    bogus_whoami(client, hospital, 21)
    other = helpers.whoami(client, "bogus", terminal=hospital.terminal, ip="10.1.2.4")
    assert other.status_code != 429


def test_a_valid_token_still_works_from_a_flooded_address_until_the_limit(
    client, hospital, low_limits
):
    token = helpers.get_token(client, hospital)
    bogus_whoami(client, hospital, 5)
    assert helpers.whoami(client, token, terminal=hospital.terminal).status_code == 200


def test_token_requests_are_limited_per_address(client, hospital, low_limits):
    statuses = [
        helpers.token_request(
            client, helpers.assertion(hospital.key, hospital.client_id), terminal=hospital.terminal
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]


def test_bogus_assertions_are_not_one_audit_row_each(client, hospital, settings):
    for _ in range(15):
        response = helpers.token_request(
            client, "not-a-jwt", terminal=hospital.terminal, ip="10.9.9.9"
        )
        assert response.status_code in (400, 401)
    assert AuditEvent.objects.filter(action="token_refused").count() == 2  # 1st and 10th


def test_ended_windows_are_purged_with_the_token_housekeeping(client, hospital, low_limits):
    bogus_whoami(client, hospital, 3)
    assert RateCounter.objects.exists()
    RateCounter.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    tokens.purge_expired()
    assert not RateCounter.objects.exists()
