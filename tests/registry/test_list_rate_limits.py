"""Lists, searches and exports are limited per account (and per address): past the
limit the answer is 429 in the page's or the API's shape and shows no one; rows returned
are limited per hour too. Before, 101 search pages pulled all 20,002 residents in 4 s."""

import pytest
from django.urls import reverse

from huimin.audit.models import AuditEvent
from tests import factories

API = "/api/v1/registry"


@pytest.fixture
def residents(county):
    return [factories.make_person(f"李{i:02d}") for i in range(6)]


@pytest.fixture
def officer_client(client, county):
    client.force_login(factories.make_staff("officer8", "insurance_officer", factories.COUNTY))
    return client


def limits(settings, lists=None, rows=None):
    current = dict(settings.HUIMIN_RATE_LIMITS)
    if lists is not None:
        current["list"] = (lists, 60, "查询、列表与导出")
    if rows is not None:
        current["rows"] = (rows, 3600, "查询返回的记录")
    settings.HUIMIN_RATE_LIMITS = current


def test_the_api_list_past_the_limit_is_429_and_shows_no_one(officer_client, residents, settings):
    limits(settings, lists=3)
    statuses = [officer_client.get(f"{API}/people").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = officer_client.get(f"{API}/people")
    body = refused.json()
    assert body["error"]["code"] == "rate_limited" and "items" not in body
    assert "查询、列表与导出过于频繁" in body["error"]["message"]
    assert int(refused["Retry-After"]) >= 1
    # The refused pages read no one: three audited listings, not five.
    assert AuditEvent.objects.filter(action="search", object_type="registry.person").count() == 3


def test_the_people_page_past_the_limit_is_the_chinese_429_page(
    officer_client, residents, settings
):
    limits(settings, lists=2)
    url = reverse("registry:person_list")
    assert [officer_client.get(url).status_code for _ in range(2)] == [200, 200]
    refused = officer_client.get(url)
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "操作过于频繁" in html and "李00" not in html


def test_rows_are_limited_per_hour(officer_client, residents, settings):
    limits(settings, rows=10)
    assert officer_client.get(f"{API}/people").status_code == 200  # 6 rows
    assert officer_client.get(f"{API}/people").status_code == 429  # 12 > 10


def test_another_account_is_counted_on_its_own(officer_client, residents, settings):
    limits(settings, lists=1)
    assert officer_client.get(f"{API}/people").status_code == 200
    other = type(officer_client)()
    other.force_login(factories.make_staff("officer7", "insurance_officer", factories.COUNTY))
    # The same address (an office behind NAT): its own, higher limit is not reached.
    assert other.get(f"{API}/people").status_code == 200
    assert officer_client.get(f"{API}/people").status_code == 429


def test_an_address_has_its_own_limit(officer_client, residents, settings):
    limits(settings)
    current = dict(settings.HUIMIN_RATE_LIMITS)
    current["list_address"] = (2, 60, "本网络地址的查询、列表与导出")
    settings.HUIMIN_RATE_LIMITS = current
    other = type(officer_client)()
    other.force_login(factories.make_staff("officer7", "insurance_officer", factories.COUNTY))
    assert officer_client.get(f"{API}/people").status_code == 200
    assert other.get(f"{API}/people").status_code == 200
    assert other.get(f"{API}/people").status_code == 429


def test_the_rows_refusal_counts_rows_not_requests(officer_client, residents, settings):
    limits(settings, rows=10)
    officer_client.get(f"{API}/people")
    message = officer_client.get(f"{API}/people").json()["error"]["message"]
    assert "每60分钟最多10条" in message
