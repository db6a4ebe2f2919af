"""The township's 参保率: insured (paid) over living residents, per village, in one query."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huimin.registry.models import Person
from tests import factories
from tests.enrollment.helpers import enroll, pay_cash

D = datetime.date


@pytest.fixture
def township(officer, period, family):
    """Village 0: the family (grandma paid, mother paid, father owes) and a dead man.
    Village 1: two residents, none enrolled."""
    enrolled = enroll(officer, family["household"])
    pay_cash(officer, enrolled[family["mother"].pk])
    factories.make_person("故人", death_date=D(2025, 1, 1))
    factories.make_person("甲", village=factories.VILLAGES[1])
    factories.make_person("乙", village=factories.VILLAGES[1])


def test_rate_per_village(client, officer, township):
    client.force_login(officer)
    town = factories.TOWNSHIPS[0]
    r = client.get(reverse("enrollment:progress"), {"year": 2026, "region": town})
    assert r.status_code == 200
    rows = {row.code: row for row in r.context["rows"]}
    v0, v1 = rows[factories.VILLAGES[0]], rows[factories.VILLAGES[1]]
    # Village 0: 3 living residents (the dead man is not counted), 3 enrolled, 2 paid:
    # 2 / 3 = 66.67%.
    assert (v0.residents, v0.enrolled, v0.insured, str(v0.rate)) == (3, 3, 2, "66.67")
    assert (v1.residents, v1.insured, str(v1.rate)) == (2, 0, "0.00")
    total = r.context["total"]
    assert (total.residents, total.insured, str(total.rate)) == (5, 2, "40.00")
    assert "66.67%" in r.content.decode()


def test_county_view_groups_by_township(client, officer, township):
    client.force_login(officer)
    r = client.get(reverse("enrollment:progress"), {"year": 2026})
    codes = [row.code for row in r.context["rows"]]
    assert codes == [factories.TOWNSHIPS[0]]  # 严塘镇 has no residents here
    assert r.context["rows"][0].residents == 5


def test_queries_do_not_grow_with_villages(client, officer, township):
    client.force_login(officer)
    url = reverse("enrollment:progress")
    params = {"year": 2026, "region": factories.TOWNSHIPS[0]}
    client.get(url, params)  # warm the per-process caches (role permissions, menus)
    with CaptureQueriesContext(connection) as few:
        client.get(url, params)
    for i in range(5):
        factories.make_person(f"丙{i}", village=factories.VILLAGES[1 - i % 2])
    Person.objects.filter(name="甲").update(village_id=factories.VILLAGES[0])
    with CaptureQueriesContext(connection) as more:
        client.get(url, params)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_a_clerk_sees_only_their_township(client, township):
    clerk = factories.make_staff("clerk2", "township_clerk", factories.TOWNSHIPS[1])
    client.force_login(clerk)
    r = client.get(reverse("enrollment:progress"), {"year": 2026, "region": factories.COUNTY})
    assert r.context["total"].residents == 0
