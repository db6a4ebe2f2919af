"""Searching the duty log by text, shift-date range, kind and author; the list pages
newest first and its query count does not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.ops.duty import admin, days_ago, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def log():
    alice, bob = admin("alice"), admin("bob", "security_admin")
    return {
        "old": write(alice, text="机房空调巡检", shift_date=days_ago(5)),
        "incident": write(bob, kind="incident", text="防火墙CPU告警", shift_date=days_ago(2)),
        "action": write(bob, kind="action", text="调整防火墙策略", shift_date=days_ago(2)),
        "today": write(alice, text="备份检查：huimin backup 正常", shift_date=days_ago(0)),
        "alice": alice,
        "bob": bob,
    }


def found(client, **params) -> set[int]:
    response = client.get(reverse("ops:duty_list"), params)
    assert response.status_code == 200
    return {e.pk for e in response.context["page"].rows}


def test_each_filter_narrows_the_list(client, log):
    client.force_login(log["alice"])
    ids = {k: v.pk for k, v in log.items() if k not in ("alice", "bob")}
    assert found(client) == set(ids.values())
    assert found(client, q="防火墙") == {ids["incident"], ids["action"]}
    assert found(client, date_from=days_ago(3), date_to=days_ago(1)) == {
        ids["incident"],
        ids["action"],
    }
    assert found(client, kind="incident") == {ids["incident"]}
    assert found(client, author=log["alice"].pk) == {ids["old"], ids["today"]}
    assert found(client, q="防火墙", author=log["alice"].pk) == set()


def test_bad_filters_are_reported_and_ignored(client, log):
    client.force_login(log["alice"])
    response = client.get(
        reverse("ops:duty_list"), {"date_from": "yesterday", "kind": "x", "author": "99999"}
    )
    assert response.status_code == 200
    assert len(response.context["page"].rows) == 4
    reversed_range = client.get(
        reverse("ops:duty_list"), {"date_from": days_ago(0), "date_to": days_ago(3)}
    )
    assert "结束日期不能早于开始日期" in reversed_range.content.decode()


def test_htmx_gets_only_the_results(client, log):
    client.force_login(log["alice"])
    htmx = {"HX-Request": "true", "HX-Target": "results"}
    response = client.get(reverse("ops:duty_list"), {"q": "防火墙"}, headers=htmx)
    body = response.content.decode()
    assert "<table" in body and "<form" not in body


def test_pages_go_newest_first(client, settings, log):
    settings.HUIMIN_PAGE_SIZE = 2
    client.force_login(log["alice"])
    first = client.get(reverse("ops:duty_list")).context["page"]
    assert [e.pk for e in first.rows] == [log["today"].pk, log["action"].pk]
    second = client.get(reverse("ops:duty_list"), {"after": first.next_cursor}).context["page"]
    assert [e.pk for e in second.rows] == [log["incident"].pk, log["old"].pk]
    back = client.get(reverse("ops:duty_list"), {"before": second.prev_cursor}).context["page"]
    assert [e.pk for e in back.rows] == [e.pk for e in first.rows]


def test_list_queries_do_not_grow_with_rows(client):
    user = admin()
    client.force_login(user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("ops:duty_list")).status_code == 200
        return len(ctx.captured_queries)

    def add(n):
        for i in range(n):
            incident = write(user, kind="incident", text=f"事件{i}")
            write(user, text=f"更正{i}", corrects_id=incident.pk)
            write(user, kind="handover", text=f"交班{i}")

    add(2)
    queries()  # the account gate's once-per-session checks are not the page's
    few = queries()
    add(8)
    assert queries() == few
