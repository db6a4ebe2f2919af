"""Today's settlements and the visits still waiting, for the counter's own institution
only; the list's queries do not grow with its rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from huimin.audit.models import AuditEvent
from huimin.insurance.models import Settlement, Visit
from tests.insurance.test_cashier_counter_flow import (
    billed_visit,
    counter_client,
    register,
    settle,
)


@pytest.fixture
def at_counter(client, insured):
    return counter_client(client, insured.hospital)


def test_today_lists_this_institutions_settlements_and_waiting_visits(client, insured):
    counter_client(client, insured.hospital)
    done = billed_visit(client, insured)
    settle(client, done)
    register(client, insured.id_number, his_visit_no="WAITING-1")
    # Registered days ago, still open: the list shows the last 90 days' visits.
    Visit.objects.filter(his_visit_no="WAITING-1").update(visit_date=timezone.localdate())
    page = client.get("/insurance/cashier/today/")
    html = page.content.decode()
    s = Settlement.objects.get()
    assert page.status_code == 200
    assert f"/insurance/settlements/{s.pk}/receipt/" in html and "19.28" in html
    assert "WAITING-1" in html and "继续办理" in html
    # Who saw which people is recorded.
    seen = AuditEvent.objects.filter(action="search", object_type="registry.person").latest("seq")
    assert seen.object_id == str(insured.person.pk)

    other = counter_client(client, insured.centre, username="centre_cashier")
    html = other.get("/insurance/cashier/today/").content.decode()
    assert "今日尚无结算" in html and "没有待结算的就诊" in html
    assert "WAITING-1" not in html and "邓建国" not in html


def test_the_list_costs_the_same_queries_for_one_row_or_five(at_counter, insured):
    settle(at_counter, billed_visit(at_counter, insured))
    at_counter.get("/insurance/cashier/today/")  # warm the session and the role cache
    with CaptureQueriesContext(connection) as one:
        at_counter.get("/insurance/cashier/today/")
    for _ in range(4):
        visit = billed_visit(at_counter, insured)
        settle(at_counter, visit)
    with CaptureQueriesContext(connection) as five:
        page = at_counter.get("/insurance/cashier/today/")
    assert len(page.context["settlements"]) == 5
    assert len(five.captured_queries) == len(one.captured_queries)
