"""Full-width digits are the same ID number, not a second person; other non-ASCII digits
(superscripts, Arabic-Indic) are refused with a reason, never a 500 (issue 13)."""

import datetime

import pytest
from django.urls import reverse

from huimin.registry.models import Person
from tests import factories

API = "/api/v1/registry"
BIRTH = datetime.date(1975, 3, 9)


def full_width(number: str) -> str:
    return "".join(chr(ord(c) - ord("0") + 0xFF10) if c.isdigit() else "ｘ" for c in number)


def arabic_indic(number: str) -> str:
    return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in number)


def superscript(number: str) -> str:
    return number[:3] + "²" + number[4:]


@pytest.fixture
def api(client, officer):
    client.force_login(officer)
    return client


def person_body(number: str) -> dict:
    return {
        "name": "李四",
        "id_number": number,
        "village_code": factories.VILLAGES[0],
        "sex": "1",
        "birth_date": BIRTH.isoformat(),
    }


def create(api, number):
    return api.post(f"{API}/people", person_body(number), content_type="application/json")


def test_full_width_number_is_stored_as_ascii_and_found_as_one_person(api):
    number = factories.valid_id(BIRTH, "1")
    r = create(api, full_width(number))
    assert r.status_code == 201, r.content
    person = Person.objects.get()
    assert person.reveal_id_number() == number
    # The same number typed in ASCII is the same person: a duplicate, not a second one.
    again = create(api, number)
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "duplicate_id_number"
    assert Person.objects.count() == 1


def test_an_ascii_number_already_registered_refuses_its_full_width_form(api):
    number = factories.valid_id(BIRTH, "1")
    assert create(api, number).status_code == 201
    again = create(api, full_width(number))
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "duplicate_id_number"


@pytest.mark.parametrize("spell", [arabic_indic, superscript])
def test_other_digits_are_refused_naming_the_field(api, spell):
    r = create(api, spell(factories.valid_id(BIRTH, "1")))
    assert r.status_code == 422, r.content
    assert "全角" in r.json()["error"]["fields"]["id_number"]
    assert not Person.objects.exists()


@pytest.mark.parametrize("spell", [arabic_indic, superscript])
def test_api_search_by_other_digits_finds_nobody_without_error(api, spell):
    number = factories.valid_id(BIRTH, "1")
    factories.make_person("李四", birth=BIRTH, id_number=number)
    r = api.post(f"{API}/people/search", {"q": spell(number)}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["items"] == []


def test_api_search_by_full_width_number_finds_the_person(api):
    number = factories.valid_id(BIRTH, "1")
    factories.make_person("李四", birth=BIRTH, id_number=number)
    r = api.post(f"{API}/people/search", {"q": full_width(number)}, content_type="application/json")
    assert [p["name"] for p in r.json()["items"]] == ["李四"]


@pytest.mark.parametrize("spell", [arabic_indic, superscript])
def test_search_page_by_other_digits_says_why(api, spell):
    number = factories.valid_id(BIRTH, "1")
    factories.make_person("李四", birth=BIRTH, id_number=number)
    r = api.post(reverse("registry:person_list"), {"q": spell(number)})
    assert r.status_code == 200
    assert list(r.context["page"].rows) == []
    assert "全角" in r.content.decode()


def test_search_page_by_full_width_number_finds_the_person(api):
    number = factories.valid_id(BIRTH, "1")
    factories.make_person("李四", birth=BIRTH, id_number=number)
    r = api.post(reverse("registry:person_list"), {"q": full_width(number)})
    assert [p.name for p in r.context["page"].rows] == ["李四"]
