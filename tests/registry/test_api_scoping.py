"""The API reads only within the user's jurisdiction; outside it is a 404."""

import datetime

import pytest

from tests import factories

API = "/api/v1/registry"


@pytest.fixture
def people(county):
    inside = factories.make_person("吴一", village=factories.VILLAGES[0])
    other_town = factories.make_person("吴二", village=factories.VILLAGES[2])
    other_county = factories.make_person("吴三", village=factories.OTHER_COUNTY_VILLAGE)
    return inside, other_town, other_county


def ids(response):
    return {row["id"] for row in response.json()["items"]}


def test_township_clerk_sees_only_their_township(client, township_clerk, people):
    inside, other_town, other_county = people
    client.force_login(township_clerk)
    assert ids(client.get(f"{API}/people")) == {inside.pk}
    assert client.get(f"{API}/people/{inside.pk}").status_code == 200
    for outsider in (other_town, other_county):
        r = client.get(f"{API}/people/{outsider.pk}")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"


def test_county_officer_sees_the_county_but_not_the_next(client, officer, people):
    inside, other_town, other_county = people
    client.force_login(officer)
    assert ids(client.get(f"{API}/people")) == {inside.pk, other_town.pk}
    assert client.get(f"{API}/people/{other_county.pk}").status_code == 404


def test_user_without_staff_profile_sees_nothing(client, people, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x-Unused-9")
    client.force_login(user)
    r = client.get(f"{API}/people")
    assert r.status_code == 403
    assert "items" not in r.json()


def test_administrators_read_no_residents(client, people):
    # Separation of duties: the system administrator manages accounts, not residents.
    admin = factories.make_staff("sysadmin", "system_admin", factories.COUNTY)
    client.force_login(admin)
    assert client.get(f"{API}/people").status_code == 403
    assert client.get(f"{API}/people/{people[0].pk}").status_code == 403


def test_clerk_cannot_register_a_person_outside_the_township(client, township_clerk):
    client.force_login(township_clerk)
    body = {
        "name": "冯一",
        "id_number": factories.valid_id(datetime.date(1988, 8, 8), "1"),
        "village_code": factories.VILLAGES[2],
    }
    r = client.post(f"{API}/people", body, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "out_of_jurisdiction"


def test_list_never_shows_full_id_numbers(client, officer, people):
    client.force_login(officer)
    body = client.get(f"{API}/people").content.decode()
    for p in people[:2]:
        assert p.reveal_id_number() not in body
        assert p.id_number_masked in body


def test_search_by_pinyin_initials_and_full_id(client, officer, people):
    inside = people[0]
    client.force_login(officer)
    assert inside.pk in ids(client.get(f"{API}/people", {"q": "wy"}))
    number = inside.reveal_id_number()
    search = client.post(
        f"{API}/people/search", {"q": number.lower()}, content_type="application/json"
    )
    assert ids(search) == {inside.pk}
    # Not in a URL: the GET list refuses it, naming the field.
    refused = client.get(f"{API}/people", {"q": number})
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "personal_number_in_url"
    assert "q" in refused.json()["error"]["fields"]
