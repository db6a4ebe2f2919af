"""The fund ledger pages: balances by group, the trial balance flag, entries to their source."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from huimin.insurance.enrollment.models import Payment
from huimin.insurance.ledger.models import Account, JournalEntry, Posting
from huimin.insurance.models import Settlement
from huimin.insurance.services import clearing
from tests import factories
from tests.insurance.officer_support import cashier, other_county_officer, settle_outpatient

LEDGER = {"region": factories.COUNTY, "year": 2026}


@pytest.fixture
def settled(insured):
    return settle_outpatient(insured, "MZ1")


def test_balances_show_the_fund_and_management_groups_apart(client, insured, settled):
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:ledger"), LEDGER)
    overview = r.context["overview"]
    groups = {g["code"]: g for g in overview["groups"]}
    assert set(groups) == {"fund", "mgmt"}
    assert {row["code"][0] for row in groups["mgmt"]["rows"]} == {"6"}
    fund = {row["code"]: row["balance"] for row in groups["fund"]["rows"]}
    assert fund["5101"] == settled.basic_fund
    assert fund["2101"] == settled.basic_fund + settled.critical_illness + settled.assistance
    assert overview["balanced"] and groups["fund"]["balanced"]
    assert "试算平衡：<strong>平衡</strong>" in r.content.decode()


def test_an_unbalanced_ledger_is_flagged(client, insured, settled):
    # A posting written past the rules (e.g. by hand in the database) breaks the balance.
    entry = JournalEntry.objects.filter(source_type="settlement").first()
    account = Account.objects.get(region_code=factories.COUNTY, year=2026, code="5101")
    Posting.objects.create(entry=entry, account=account, debit="1.00")
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:ledger"), LEDGER)
    groups = {g["code"]: g for g in r.context["overview"]["groups"]}
    assert not r.context["overview"]["balanced"]
    assert not groups["fund"]["balanced"] and groups["mgmt"]["balanced"]
    assert "<strong>不平衡</strong>" in r.content.decode()


def test_the_default_region_is_the_officers_county(client, insured, settled):
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:ledger"))
    assert r.context["region"] == factories.COUNTY
    assert r.context["year"] == timezone.localdate().year


def test_another_countys_ledger_is_not_there(client, insured, settled):
    client.force_login(other_county_officer())
    accounts = Account.objects.count()
    assert client.get(reverse("insurance:ledger"), LEDGER).status_code == 404
    assert client.get(reverse("insurance:ledger_entries"), LEDGER).status_code == 404
    r = client.get(reverse("insurance:ledger"), {"year": 2026})
    assert r.context["region"] == "430523" and r.context["overview"] is None
    assert "尚无账目" in r.content.decode()
    assert Account.objects.count() == accounts  # looking wrote no accounts


@pytest.mark.parametrize("bad", [{"region": "abc"}, {"year": "1"}, {"year": "x"}])
def test_bad_input_is_refused_and_writes_nothing(client, insured, settled, bad):
    client.force_login(insured.officer)
    accounts = Account.objects.count()
    r = client.get(reverse("insurance:ledger"), bad)
    assert r.status_code == 200 and r.context["error"]
    assert Account.objects.count() == accounts


def test_entries_trace_to_their_source(client, insured, settled):
    # Clear March so a payment entry exists (a settlement in a month that is over).
    Settlement.objects.filter(pk=settled.pk).update(
        settled_at=timezone.make_aware(datetime.datetime(2026, 3, 20, 10, 0))
    )
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    clearing.do_approve_clearing(insured.officer, batch.pk)
    clearing.do_confirm_clearing(insured.second_officer, batch.pk)
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:ledger_entries"), LEDGER)
    by_source = {e.source_type: e.source_url for e in r.context["entries"]}
    assert by_source["settlement"] == reverse("insurance:settlement_detail", args=[settled.pk])
    assert by_source["clearing"] == reverse("insurance:clearing_detail", args=[batch.pk])
    payment = Payment.objects.get()
    assert by_source["enrollment.payment"] == (
        reverse("enrollment:household", args=[payment.enrollment.household_id]) + "?year=2026"
    )
    page = r.content.decode()
    for url in by_source.values():
        assert f'href="{url}' in page.replace("&amp;", "&")


def test_entries_page_queries_do_not_grow_with_entries(client, insured, settled):
    client.force_login(insured.officer)
    url = reverse("insurance:ledger_entries")
    client.get(url, LEDGER)
    with CaptureQueriesContext(connection) as few:
        client.get(url, LEDGER)
    for n in range(3):
        settle_outpatient(insured, f"MZ2{n}")
    with CaptureQueriesContext(connection) as more:
        r = client.get(url, LEDGER)
    assert len(r.context["entries"]) == JournalEntry.objects.count()
    assert len(more.captured_queries) == len(few.captured_queries)


def test_entries_are_paged_newest_first(client, insured, settled, settings):
    settings.HUIMIN_PAGE_SIZE = 1
    client.force_login(insured.officer)
    seen, params = [], dict(LEDGER)
    while True:
        r = client.get(reverse("insurance:ledger_entries"), params)
        seen += [e.pk for e in r.context["entries"]]
        if not r.context["page"].next_cursor:
            break
        params = {**LEDGER, "after": r.context["page"].next_cursor}
    assert seen == list(
        JournalEntry.objects.order_by("-posted_at", "-id").values_list("pk", flat=True)
    )


def test_a_cashier_gets_403(client, insured, settled):
    client.force_login(cashier(insured))
    assert client.get(reverse("insurance:ledger"), LEDGER).status_code == 403
    assert client.get(reverse("insurance:ledger_entries"), LEDGER).status_code == 403
