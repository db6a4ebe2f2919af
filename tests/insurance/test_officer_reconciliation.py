"""Institutions' reconciliation submissions: the list with matched/unmatched, the differences."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huimin.insurance.services import clearing
from tests.insurance.officer_support import cashier, other_county_officer, settle_outpatient

DAY = datetime.date(2026, 3, 20)


@pytest.fixture
def runs(insured):
    s = settle_outpatient(insured, "MZ1")
    fund = s.basic_fund + s.critical_illness + s.assistance
    matched = clearing.do_reconcile_totals(
        insured.hospital,
        clearing.TotalsIn(
            day=DAY, count=1, total=s.total, fund_paid=fund, patient_pay=s.patient_pay
        ),
    )
    totals = clearing.do_reconcile_totals(
        insured.hospital,
        clearing.TotalsIn(
            day=DAY,
            count=2,
            total=s.total + Decimal("10.00"),
            fund_paid=fund,
            patient_pay=s.patient_pay,
        ),
    )
    details = clearing.do_reconcile_details(
        insured.hospital,
        DAY,
        [
            clearing.DetailIn(settlement_id=s.pk, total=s.total, fund_paid=Decimal("1.00")),
            clearing.DetailIn(settlement_id=999999, total=Decimal("5.00"), fund_paid=Decimal("0")),
        ],
    )
    return {"settlement": s, "matched": matched, "totals": totals, "details": details}


def test_the_list_tells_matched_from_unmatched(client, insured, runs):
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:reconciliation_list"))
    shown = {run.pk: (run.matched, run.difference_count) for run in r.context["runs"]}
    assert shown == {
        runs["matched"].pk: (True, 0),
        runs["totals"].pk: (False, 2),
        runs["details"].pk: (False, 2),
    }
    r = client.get(reverse("insurance:reconciliation_list"), {"matched": "no", "kind": "details"})
    assert [run.pk for run in r.context["runs"]] == [runs["details"].pk]
    r = client.get(reverse("insurance:reconciliation_list"), {"institution": insured.centre.pk})
    assert r.context["runs"] == []


def test_totals_detail_shows_each_field_side_by_side(client, insured, runs):
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:reconciliation_detail", args=[runs["totals"].pk]))
    rows = {row["label"]: row for row in r.context["total_rows"]}
    assert rows["结算笔数"]["differs"] and rows["结算笔数"]["difference"] == "1"
    assert rows["医疗费总额"]["difference"] == "10.00"
    assert not rows["基金支付"]["differs"] and not rows["个人现金支付"]["differs"]
    assert rows["医疗费总额"]["centre"] == str(runs["settlement"].total)
    assert r.content.decode().count('class="differs"') == 2


def test_details_detail_lists_missing_and_differing_settlements(client, insured, runs):
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:reconciliation_detail", args=[runs["details"].pk]))
    assert r.context["missing_at_centre"] == [999999]
    assert r.context["missing_at_institution"] == []
    [differs] = r.context["amount_differs"]
    assert differs["settlement_id"] == runs["settlement"].pk
    assert differs["institution"]["fund_paid"] == "1.00"
    page = r.content.decode()
    assert reverse("insurance:settlement_detail", args=[runs["settlement"].pk]) in page
    assert "999999" in page


def test_another_countys_officer_sees_none(client, insured, runs):
    client.force_login(other_county_officer())
    assert client.get(reverse("insurance:reconciliation_list")).context["runs"] == []
    r = client.get(reverse("insurance:reconciliation_detail", args=[runs["totals"].pk]))
    assert r.status_code == 404


def test_bad_filters_are_refused(client, insured, runs):
    client.force_login(insured.officer)
    r = client.get(
        reverse("insurance:reconciliation_list"),
        {"date_from": "2026-03-21", "date_to": "2026-03-01"},
    )
    assert r.status_code == 200 and "至" in r.context["error"]["fields"]
    assert r.context["runs"] == []
    r = client.get(reverse("insurance:reconciliation_list"), {"matched": "maybe"})
    assert r.context["error"] and r.context["runs"] == []


def test_the_list_costs_the_same_for_more_runs(client, insured, runs):
    client.force_login(insured.officer)
    url = reverse("insurance:reconciliation_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(1, 4):
        clearing.do_reconcile_totals(
            insured.centre,
            clearing.TotalsIn(
                day=DAY - datetime.timedelta(days=n),
                count=0,
                total=Decimal("0"),
                fund_paid=Decimal("0"),
                patient_pay=Decimal("0"),
            ),
        )
    with CaptureQueriesContext(connection) as more:
        r = client.get(url)
    assert len(r.context["runs"]) == 6
    assert len(more.captured_queries) == len(few.captured_queries)


def test_a_cashier_gets_403(client, insured, runs):
    client.force_login(cashier(insured))
    assert client.get(reverse("insurance:reconciliation_list")).status_code == 403
    url = reverse("insurance:reconciliation_detail", args=[runs["totals"].pk])
    assert client.get(url).status_code == 403
