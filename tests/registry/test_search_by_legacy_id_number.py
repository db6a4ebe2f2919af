"""A 15-digit legacy number is never stored, but a search by it finds the holder of its
18-digit upgrade (DESIGN.md §3): the search page and the API's people search."""

import datetime

import pytest
from django.urls import reverse

from tests import factories

API = "/api/v1/registry"


def legacy(number: str) -> str:
    """The 15-digit number an 18-digit one (born 19xx) was upgraded from."""
    assert number[6:8] == "19"
    return number[:6] + number[8:17]


@pytest.fixture
def holder(client, officer):
    client.force_login(officer)
    number = factories.valid_id(datetime.date(1962, 7, 30), "2")
    factories.make_person("周桂英", sex="2", birth=datetime.date(1962, 7, 30), id_number=number)
    factories.make_person("李四", birth=datetime.date(1962, 7, 30))
    return number


def test_search_page_finds_the_holder_by_the_legacy_number(client, holder):
    r = client.post(reverse("registry:person_list"), {"q": legacy(holder)})
    assert [p.name for p in r.context["page"].rows] == ["周桂英"]
    # The number is not shown back in full (DESIGN.md §6).
    assert legacy(holder) not in r.content.decode()


def test_api_search_finds_the_holder_by_the_legacy_number(client, holder):
    r = client.post(f"{API}/people/search", {"q": legacy(holder)}, content_type="application/json")
    assert r.status_code == 200
    assert [p["name"] for p in r.json()["items"]] == ["周桂英"]


def test_a_legacy_number_with_an_impossible_date_says_why(client, holder):
    bad = holder[:6] + "621330" + holder[14:17]
    r = client.post(reverse("registry:person_list"), {"q": bad})
    assert list(r.context["page"].rows) == []
    assert "15位身份证号码无效" in r.content.decode()


def test_registering_a_legacy_number_is_refused(client, holder):
    body = {
        "name": "周桂英",
        "id_number": legacy(factories.valid_id(datetime.date(1962, 7, 30), "2")),
        "village_code": factories.VILLAGES[0],
    }
    r = client.post(f"{API}/people", body, content_type="application/json")
    assert r.status_code == 422
    assert "18位" in r.json()["error"]["fields"]["id_number"]
