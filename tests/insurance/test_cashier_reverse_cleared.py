"""A settlement already in a confirmed clearing batch: the receipt offers the reversal, as
services.do_reverse allows it, and says the reversal is netted in this month's clearing."""

from django.urls import reverse

from huimin.insurance.models import Settlement
from huimin.insurance.services import clearing
from tests.insurance.officer_support import settle_outpatient
from tests.insurance.test_cashier_counter_flow import counter_client


def test_a_cleared_settlement_can_be_reversed_from_its_receipt(client, insured):
    original = settle_outpatient(insured, "MZ-CLEARED")
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    clearing.do_approve_clearing(insured.officer, batch.pk)
    clearing.do_confirm_clearing(insured.second_officer, batch.pk)
    original.refresh_from_db()
    assert original.clearing_batch_id == batch.pk

    counter_client(client, insured.hospital)
    url = reverse("insurance:receipt", args=[original.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.context["can_reverse"] and 'id="reverse"' in html
    assert "冲正将计入本月" in html
    r = client.post(
        reverse("insurance:reverse", args=[original.pk]),
        {"reason": "清算后发现收费错误", "idempotency_key": page.context["reverse_key"]},
    )
    reversal = Settlement.objects.get(kind="reversal", reverses=original)
    assert r.status_code == 302
    assert r["Location"] == reverse("insurance:receipt", args=[reversal.pk])
    assert reversal.clearing_batch_id is None  # left for the month it was made in


def test_an_uncleared_receipt_has_no_clearing_note(client, insured):
    original = settle_outpatient(insured, "MZ-OPEN")
    counter_client(client, insured.hospital)
    page = client.get(reverse("insurance:receipt", args=[original.pk]))
    assert page.context["can_reverse"] and "冲正将计入本月" not in page.content.decode()
