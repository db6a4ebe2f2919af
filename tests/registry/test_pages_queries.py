"""List pages run a fixed number of queries however many rows they show (no N+1)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huimin.registry import services
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
    assert queries_for(client, url, params) == few


def test_household_page_queries_do_not_grow_with_members(client, officer):
    client.force_login(officer)
    small = factories.make_household(factories.make_person("小户主"), others=[])
    members = [factories.make_person(f"成员{i}") for i in range(8)]
    big = factories.make_household(factories.make_person("大户主"), others=members)
    client.get(reverse("registry:household_detail", args=[small.pk]))
    few = queries_for(client, reverse("registry:household_detail", args=[small.pk]))
    assert queries_for(client, reverse("registry:household_detail", args=[big.pk])) == few


def test_person_page_queries_do_not_grow_with_history(client, officer):
    client.force_login(officer)
    settled = factories.make_person("定居")
    factories.make_household(settled)
    mover = factories.make_person("搬家")
    factories.make_household(mover)
    for i in range(4):
        target = factories.make_household(factories.make_person(f"户主{i}"))
        services.do_move_member(
            officer, mover.pk, target.pk, "80", "迁居", datetime.date(2021 + i, 1, 1)
        )
        mover.categories.create(category="disabled", valid_from=datetime.date(2021 + i, 1, 1))
    client.get(reverse("registry:person_detail", args=[settled.pk]))
    few = queries_for(client, reverse("registry:person_detail", args=[settled.pk]))
    assert queries_for(client, reverse("registry:person_detail", args=[mover.pk])) == few
