"""Paging through a list visits every row once, forwards and back, without a total count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories


@pytest.fixture
def twelve_people(county, settings):
    settings.HUIMIN_PAGE_SIZE = 5
    # Villages out of order so the (village, id) keyset really matters.
    for i in range(12):
        factories.make_person(f"居民{i:02d}", village=factories.VILLAGES[(i * 2) % 3])


def rows(response):
    return [p.pk for p in response.context["page"].rows]


def test_next_and_previous_cover_every_row_once(client, officer, twelve_people):
    client.force_login(officer)
    url = reverse("registry:person_list")
    first = client.get(url)
    page = first.context["page"]
    assert page.prev_cursor is None
    second = client.get(url, {"after": page.next_cursor})
    third = client.get(url, {"after": second.context["page"].next_cursor})
    seen = rows(first) + rows(second) + rows(third)
    assert len(seen) == 12 and len(set(seen)) == 12
    assert third.context["page"].next_cursor is None
    back = client.get(url, {"before": third.context["page"].prev_cursor})
    assert rows(back) == rows(second)
    back_again = client.get(url, {"before": back.context["page"].prev_cursor})
    assert rows(back_again) == rows(first)
    assert back_again.context["page"].prev_cursor is None


def test_pager_links_keep_the_filters(client, officer, twelve_people):
    client.force_login(officer)
    html = client.get(reverse("registry:person_list"), {"q": "居民", "sex": "1"}).content.decode()
    assert "q=%E5%B1%85%E6%B0%91&amp;sex=1&amp;after=" in html


def test_no_count_query_over_the_table(client, officer, twelve_people):
    client.force_login(officer)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("registry:person_list"))
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def test_a_tampered_cursor_starts_over(client, officer, twelve_people):
    client.force_login(officer)
    response = client.get(reverse("registry:person_list"), {"after": "x,notanumber"})
    assert response.status_code == 200
    assert len(rows(response)) == 5
