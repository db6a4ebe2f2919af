"""The office records money arriving (subsidy, assistance for contributions) and the
management fees received and spent: one balanced entry each, once per reference, never
more than is owed or held, never mixing the fund and the management fees."""

from decimal import Decimal

import pytest
from django.urls import reverse

from huimin.audit.models import AuditEvent
from huimin.insurance.ledger.models import JournalEntry, Posting
from huimin.insurance.ledger.services import balances, trial_balance
from tests import factories
from tests.insurance.officer_support import cashier, other_county_officer

D = Decimal
URL = reverse("insurance:ledger_receipts") + f"?region={factories.COUNTY}&year=2026"


def balance(code):
    return {r["code"]: r["balance"] for r in balances(factories.COUNTY, 2026)}[code]


def post(client, **form):
    return client.post(URL, {"memo": "", **form})


def writes():
    return JournalEntry.objects.count(), Posting.objects.count(), AuditEvent.objects.count()


def test_a_subsidy_arriving_clears_the_receivable(client, insured):
    # The insured dibao resident's enrollment booked 670.00 of subsidy receivable (1202).
    assert balance("1202") == D("670.00")
    bank = balance("1101")
    client.force_login(insured.officer)
    r = post(client, kind="subsidy", amount="670.00", reference="CZ2026-001")
    assert r.status_code == 302
    assert balance("1202") == D("0.00")
    assert balance("1101") == bank + D("670.00")
    assert trial_balance(factories.COUNTY, 2026)["balanced"]
    entry = JournalEntry.objects.get(source_type="fund_receipt")
    assert entry.group == "fund" and "CZ2026-001" in entry.memo
    assert AuditEvent.objects.filter(object_type="ledger.receipt", object_id=str(entry.pk))
    page = client.get(URL).content.decode()
    assert "财政补助资金到账 CZ2026-001" in page and "借 1101 670.00" in page


def test_more_than_is_owed_twice_the_same_reference_or_bad_input_changes_nothing(client, insured):
    client.force_login(insured.officer)
    before = writes()
    r = post(client, kind="assistance", amount="200.01", reference="JZ-1")  # 200.00 owed
    assert r.status_code == 422 and "余额200.00元" in r.content.decode()
    for form in (
        {"kind": "assistance", "amount": "abc", "reference": "JZ-1"},
        {"kind": "assistance", "amount": "-5", "reference": "JZ-1"},
        {"kind": "assistance", "amount": "1.001", "reference": "JZ-1"},
        {"kind": "assistance", "amount": "10", "reference": ""},
        {"kind": "nothing", "amount": "10", "reference": "JZ-1"},
    ):
        assert post(client, **form).status_code == 422, form
    assert writes() == before
    assert post(client, kind="assistance", amount="150.00", reference="JZ-1").status_code == 302
    before = writes()
    r = post(client, kind="assistance", amount="50.00", reference="JZ-1")
    assert r.status_code == 409
    assert writes() == before
    assert balance("1203") == D("50.00")


def test_management_fees_stay_in_their_own_accounts(client, insured):
    client.force_login(insured.officer)
    fund_before = {r["code"]: r["balance"] for r in balances(factories.COUNTY, 2026)}
    # Nothing can be spent before it arrives.
    assert post(client, kind="mgmt_expense", amount="1.00", reference="GL-0").status_code == 422
    assert post(client, kind="mgmt_income", amount="5000.00", reference="GL-1").status_code == 302
    assert post(client, kind="mgmt_expense", amount="1200.00", reference="GL-2").status_code == 302
    after = {r["code"]: r["balance"] for r in balances(factories.COUNTY, 2026)}
    assert after["6101"] == D("3800.00") and after["6301"] == D("1200.00")
    assert after["6201"] == D("5000.00")
    assert {c: v for c, v in after.items() if not c.startswith("6")} == {
        c: v for c, v in fund_before.items() if not c.startswith("6")
    }
    groups = set(JournalEntry.objects.filter(source_type="fund_receipt").values_list("group"))
    assert groups == {("mgmt",)}


def test_only_the_office_of_the_region_records_receipts(client, insured):
    before = writes()
    client.force_login(cashier(insured))
    assert post(client, kind="subsidy", amount="1.00", reference="X1").status_code == 403
    client.force_login(other_county_officer())
    assert post(client, kind="subsidy", amount="1.00", reference="X1").status_code == 404
    assert writes() == before
    client.force_login(insured.officer)
    page = client.get(reverse("insurance:ledger"), {"region": factories.COUNTY, "year": 2026})
    assert "资金到账与管理费" in page.content.decode()


@pytest.mark.parametrize("amount", ["0", "0.00"])
def test_a_zero_amount_is_refused(client, insured, amount):
    client.force_login(insured.officer)
    r = post(client, kind="subsidy", amount=amount, reference="Z1")
    assert r.status_code == 422 and "金额须大于0" in r.content.decode()
