"""A masked ID number never stands beside what it hides: the eight hidden digits are the
birth date, so pages and API answers showing a masked number show the age instead."""

import datetime
import re
from pathlib import Path

import pytest

import huimin
from huimin.core import idnumber
from tests import factories

BIRTH = datetime.date(1989, 9, 9)
BIRTH_FORMS = ["1989-09-09", "19890909", "1989年9月9日", "1989年09月09日", "1989/09/09"]


@pytest.fixture
def twins(county):
    number = factories.valid_id(BIRTH, "2")
    first = factories.make_person("周敏", birth=BIRTH, sex="2", id_number=number)
    second = factories.make_person("周敏", birth=BIRTH, sex="2")  # a duplicate on paper
    return first, second


def assert_age_not_birth(body: str, person):
    assert person.id_number_masked in body
    for form in BIRTH_FORMS:
        assert form not in body, form
    # The full number is not on the screen either.
    assert person.reveal_id_number() not in body


@pytest.mark.parametrize(
    "url",
    [
        "/registry/people/",
        "/registry/people/?q=zm",
        "/registry/people/{pk}/",
        "/registry/duplicates/",
    ],
)
def test_pages_show_age_not_birth_date(client, officer, twins, url):
    client.force_login(officer)
    body = client.get(url.format(pk=twins[0].pk)).content.decode()
    assert_age_not_birth(body, twins[0])
    age = idnumber.age_beside_mask(BIRTH, datetime.date.today())
    assert re.search(rf"\b{age}\b", body)


@pytest.mark.parametrize("url", ["/api/v1/registry/people", "/api/v1/registry/people/{pk}"])
def test_api_answers_give_age_not_birth_date(client, officer, twins, url):
    client.force_login(officer)
    response = client.get(url.format(pk=twins[0].pk))
    assert response.status_code == 200
    assert_age_not_birth(response.content.decode(), twins[0])
    data = response.json()
    item = data["items"][0] if "items" in data else data
    assert "birth_date" not in item
    assert item["age"] == idnumber.age_beside_mask(BIRTH, datetime.date.today())


def test_the_age_of_the_deceased_is_their_age_at_death():
    assert idnumber.age_beside_mask(BIRTH, datetime.date(2020, 9, 8)) == 30
    assert idnumber.age_beside_mask(BIRTH, datetime.date(2020, 9, 9)) == 31


def test_no_template_shows_a_masked_number_and_a_birth_date():
    root = Path(huimin.__file__).parent
    both = [
        str(path.relative_to(root))
        for path in sorted(root.rglob("*.html"))
        if "id_number_masked" in (text := path.read_text(encoding="utf-8")) and "birth_date" in text
    ]
    assert both == []
