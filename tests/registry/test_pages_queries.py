"""List pages run a fixed number of queries however many rows they show (no N+1)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories


def populate(n: int) -> None:
    """n households of two people each, spread over the county's villages, with a category,
    and for each head a second registration (same name, birth date, village): a duplicate."""
    for i in range(n):
        village = factories.VILLAGES[i % len(factories.VILLAGES)]
        head = factories.make_person(f"张{i}", village=village)
        spouse = factories.make_person(f"李{i}", village=village, sex="2")
        factories.make_household(head, others=[spouse], relation="10")
        head.categories.create(category="dibao", valid_from=datetime.date(2024, 1, 1))
        factories.make_person(f"张{i}", village=village)


def queries_for(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("registry:person_list", {}),
        ("registry:person_list", {"q": "z", "category": "dibao", "vital": "alive"}),
        ("registry:household_list", {}),
        ("registry:household_list", {"region": factories.TOWNSHIPS[0]}),
        ("registry:duplicate_list", {}),
    ],
)
def test_list_queries_do_not_grow_with_rows(client, officer, name, params):
    client.force_login(officer)
    url = reverse(name)
    client.get(url)  # warm the role-permission cache so both runs see the same
    populate(3)
    few = queries_for(client, url, params)
    populate(12)
    many = queries_for(client, url, params)
    assert many == few
    # session, user, staff, the page's own (1-3), and the idle-timeout session save (3)
    assert few <= 10


def test_detail_pages_queries_are_bounded(client, officer):
    client.force_login(officer)
    populate(1)
    head = factories.make_person("户主", village=factories.VILLAGES[0])
    others = [factories.make_person(f"成员{i}") for i in range(10)]
    home = factories.make_household(head, others=others)
    assert queries_for(client, reverse("registry:household_detail", args=[home.pk])) <= 9
    assert queries_for(client, reverse("registry:person_detail", args=[others[0].pk])) <= 10
