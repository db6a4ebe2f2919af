"""Settling from the page: the page's key makes a double click or a resent form settle
once; a second window gets the receipt of the first, never a second settlement."""

import pytest

from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.models import Accumulator, Settlement, Visit
from tests.insurance.test_cashier_counter_flow import (
    DAY,
    add_line,
    billed_visit,
    counter_client,
    form_key,
    register,
    settle,
    settle_key,
)


@pytest.fixture
def visit(client, insured):
    counter_client(client, insured.hospital)
    return billed_visit(client, insured)


def test_double_submit_with_the_same_key_settles_once(client, visit):
    key = settle_key(client, visit)
    first = settle(client, visit, key)
    second = settle(client, visit, key)
    s = Settlement.objects.get()
    assert first["Location"] == second["Location"] == f"/insurance/settlements/{s.pk}/receipt/"
    assert JournalEntry.objects.filter(source_type="settlement").count() == 1
    assert Accumulator.objects.get().basic_paid == s.basic_fund
    receipt = client.get(second["Location"])
    assert "该结算已提交过" in receipt.content.decode()


def test_a_second_window_is_told_and_pointed_at_the_receipt(client, visit):
    first_window, second_window = settle_key(client, visit), settle_key(client, visit)
    settle(client, visit, first_window)
    response = settle(client, visit, second_window)
    s = Settlement.objects.get()
    assert response.status_code == 409
    html = response.content.decode()
    assert "该就诊已结算" in html
    assert f"/insurance/settlements/{s.pk}/receipt/" in html


@pytest.mark.parametrize("key", ["", "short", "x" * 65, "bad key with spaces!!", "web:" + "a" * 20])
def test_a_missing_or_malformed_key_settles_nothing(client, visit, key):
    response = settle(client, visit, key)
    assert response.status_code == 422
    assert "页面已过期或表单不完整，请刷新页面后重试" in response.content.decode()
    assert not Settlement.objects.exists() and not Accumulator.objects.exists()
    visit.refresh_from_db()
    assert visit.status == "open"


def test_a_visit_without_fees_is_refused(client, insured):
    counter_client(client, insured.hospital)
    register(client, insured.id_number)
    visit = Visit.objects.get()
    pre = client.get(f"/insurance/cashier/visits/{visit.pk}/pre-settle/")
    assert pre.status_code == 422 and "该就诊没有费用明细" in pre.content.decode()
    response = settle(client, visit)
    assert response.status_code == 422
    assert "该就诊没有费用明细" in response.content.decode()
    assert not Settlement.objects.exists()


def test_an_admission_must_be_discharged_before_settling(client, insured):
    counter_client(client, insured.hospital)
    register(client, insured.id_number, visit_type="inpatient")
    visit = Visit.objects.get()
    add_line(client, visit, "床位费（二级）", "3", "40.00")
    refused = settle(client, visit)
    assert refused.status_code == 422 and "住院结算前须办理出院" in refused.content.decode()
    assert not Settlement.objects.exists()
    discharged = client.post(
        f"/insurance/cashier/visits/{visit.pk}/discharge/",
        {"discharge_date": "2026-05-15", "idempotency_key": form_key()},
    )
    assert discharged.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "discharged" and visit.visit_date == DAY
    assert settle(client, visit).status_code == 302
    assert Settlement.objects.count() == 1


def test_a_discharge_date_that_is_not_a_date_changes_nothing(client, insured):
    counter_client(client, insured.hospital)
    register(client, insured.id_number, visit_type="inpatient")
    visit = Visit.objects.get()
    for raw in ("2026-13-40", "2026-05-01"):  # not a date; before the admission
        response = client.post(
            f"/insurance/cashier/visits/{visit.pk}/discharge/",
            {"discharge_date": raw, "idempotency_key": form_key()},
        )
        assert response.status_code == 422
    visit.refresh_from_db()
    assert visit.status == "open" and visit.discharge_date is None
