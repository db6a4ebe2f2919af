"""Reversing from the receipt: a reason is required, the key makes a resent form reverse
once, the reversal's receipt says 冲正, and only the settling institution's counter may."""

from decimal import Decimal

import pytest

from huimin.insurance.models import Accumulator, Settlement
from tests import factories
from tests.insurance.test_cashier_counter_flow import counter_client, settle, settled


@pytest.fixture
def original(client, insured):
    counter_client(client, insured.hospital)
    return settled(client, insured)


def reverse_key(client, settlement) -> str:
    return client.get(f"/insurance/settlements/{settlement.pk}/receipt/").context["reverse_key"]


def reverse(client, settlement, reason, key=None):
    key = key if key is not None else reverse_key(client, settlement)
    return client.post(
        f"/insurance/settlements/{settlement.pk}/reverse/",
        {"reason": reason, "idempotency_key": key},
    )


def test_reversal_with_a_reason_restores_the_year_and_says_so(client, original):
    response = reverse(client, original, "收费项目录入错误")
    reversal = Settlement.objects.get(kind="reversal")
    assert response["Location"] == f"/insurance/settlements/{reversal.pk}/receipt/"
    assert reversal.patient_pay == Decimal("-19.28") and reversal.reverses_id == original.pk
    acc = Accumulator.objects.get()
    assert (acc.basic_paid, acc.assistance_paid) == (Decimal("0.00"), Decimal("0.00"))
    page = client.get(response["Location"]).content.decode()
    assert "冲正 · 撤销结算 #" in page and "收费项目录入错误" in page and "-19.28" in page
    # The original's receipt now says it was reversed, and offers no second reversal.
    before = client.get(f"/insurance/settlements/{original.pk}/receipt/")
    assert "已冲正" in before.content.decode()
    assert not before.context["can_reverse"]
    # The visit may be settled again.
    assert settle(client, original.visit).status_code == 302
    assert Settlement.objects.filter(kind="settle", reversed_at__isnull=True).count() == 1


def test_a_reversal_without_a_reason_changes_nothing(client, original):
    response = reverse(client, original, "   ")
    assert response.status_code == 422
    assert "须填写冲正原因" in response.content.decode()
    original.refresh_from_db()
    assert original.reversed_at is None
    assert not Settlement.objects.filter(kind="reversal").exists()
    assert Accumulator.objects.get().basic_paid == original.basic_fund


def test_a_resent_reversal_form_reverses_once(client, original):
    key = reverse_key(client, original)
    first = reverse(client, original, "重复收费", key)
    second = reverse(client, original, "重复收费", key)
    assert first["Location"] == second["Location"]
    assert Settlement.objects.filter(kind="reversal").count() == 1
    again = reverse(client, original, "再次冲正")
    assert again.status_code == 409 and "该结算已冲正" in again.content.decode()
    assert Settlement.objects.filter(kind="reversal").count() == 1


def test_another_institution_cannot_reverse(client, insured, original):
    other = counter_client(client, insured.centre, username="centre_cashier")
    response = other.post(
        f"/insurance/settlements/{original.pk}/reverse/",
        {"reason": "越权冲正", "idempotency_key": "k" * 20},
    )
    assert response.status_code == 404
    original.refresh_from_db()
    assert original.reversed_at is None


def test_an_officer_may_read_but_not_reverse(client, insured, original):
    client.force_login(insured.officer)
    page = client.get(f"/insurance/settlements/{original.pk}/receipt/")
    assert page.status_code == 200 and not page.context["can_reverse"]
    assert 'id="reverse"' not in page.content.decode()
    response = client.post(
        f"/insurance/settlements/{original.pk}/reverse/",
        {"reason": "经办冲正", "idempotency_key": "k" * 20},
    )
    assert response.status_code == 403
    assert not Settlement.objects.filter(kind="reversal").exists()


def test_a_doctor_of_the_same_institution_may_reverse(client, insured, original):
    doctor = factories.make_staff("dr_wang", "doctor", institution=insured.hospital)
    client.force_login(doctor)
    assert reverse(client, original, "医生更正处方").status_code == 302
    assert Settlement.objects.filter(kind="reversal").count() == 1


@pytest.mark.parametrize("key", ["", "short", "has spaces and more than sixteen"])
def test_a_reversal_form_without_the_pages_key_changes_nothing(client, original, key):
    response = reverse(client, original, "收费错误", key)
    assert response.status_code == 422
    assert "页面已过期或表单不完整" in response.content.decode()
    original.refresh_from_db()
    assert original.reversed_at is None
    assert not Settlement.objects.filter(kind="reversal").exists()
