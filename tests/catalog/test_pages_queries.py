"""The catalog list and mapping queue run a fixed number of queries however many rows."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from huimin.insurance.catalog.models import InstitutionItemMap
from tests.catalog.conftest import make_item, terms

D = datetime.date
_n = iter(range(10_000))


def populate(n: int, institution) -> None:
    for _ in range(n):
        i = next(_n)
        item = make_item(
            f"0012{i:06d}00000",
            "service",
            [
                (D(2020, 1, 1), D(2025, 12, 31), terms(f"项目{i}", "A", sex="2")),
                (D(2026, 1, 1), None, terms(f"项目{i}", "B", allowed_levels=("2", "3"))),
            ],
        )
        InstitutionItemMap.objects.create(
            institution=institution, local_code=f"L{i}", local_name=f"本院{i}", item=item
        )


def queries_for(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_rows(client, officer, hospital):
    client.force_login(officer)
    for url, params in [
        ("/catalog/", {}),
        ("/catalog/", {"q": "xm", "item_class": "B", "kind": "service"}),
        ("/catalog/search/", {"q": "0012"}),
        ("/catalog/mappings/", {}),
    ]:
        client.get(url, params)  # warm the role-permission cache
        populate(3, hospital)
        few = queries_for(client, url, params)
        populate(12, hospital)
        many = queries_for(client, url, params)
        assert many == few, url
