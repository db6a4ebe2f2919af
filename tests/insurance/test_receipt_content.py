"""The receipt a patient takes home: every line with its class and shares, what each fund
paid, what the patient pays, the year so far, and a code and QR code to verify it."""

from decimal import Decimal

import pytest

from huimin.audit.models import AuditEvent
from tests.insurance.test_cashier_counter_flow import (
    AMLODIPINE,
    CLOPIDOGREL,
    code_of,
    counter_client,
    settled,
)


@pytest.fixture
def settlement(client, insured):
    counter_client(client, insured.hospital)
    return settled(client, insured)


def test_receipt_shows_lines_shares_funds_patient_pay_and_year_to_date(client, insured, settlement):
    response = client.get(f"/insurance/settlements/{settlement.pk}/receipt/")
    r = response.context["r"]
    html = response.content.decode()
    assert response.status_code == 200
    assert (r.institution_name, r.person_name, r.visit_no) == (
        "新邵县人民医院",
        "邓建国",
        "MZ202605120001",
    )
    assert r.id_number_masked in html and insured.id_number not in html
    assert [
        (ln.code, ln.name, ln.class_label, ln.amount, ln.self_pay, ln.b_self_pay, ln.eligible)
        for ln in r.breakdown.lines
    ] == [
        (code_of(AMLODIPINE), AMLODIPINE, "甲", D("25.50"), D("0.00"), D("0.00"), D("25.50")),
        (code_of(CLOPIDOGREL), CLOPIDOGREL, "乙", D("42.00"), D("8.40"), D("3.36"), D("30.24")),
    ]
    # The B-class share applied: 3.36 = (42.00 − 8.40) × 0.10, the plan's share.
    assert [ln.b_ratio for ln in r.breakdown.lines] == [None, D("0.10")]
    assert '3.36 <span class="muted">（10%）</span>' in html
    totals = {row.label: row.amount for row in r.breakdown.totals}
    assert totals == {
        "医疗费总额": D("67.50"),
        "全自费（丙类及超限价部分）": D("8.40"),
        "乙类先行自付": D("3.36"),
        "政策范围内费用": D("55.74"),
        "本次起付线": D("0.00"),
        "基本医保统筹支付": D("30.66"),
        "大病保险支付": D("0.00"),
        "医疗救助支付": D("17.56"),
        "基金支付合计": D("48.22"),
        "个人现金支付": D("19.28"),
    }
    ytd = {row.label: row.amount for row in r.breakdown.ytd}
    assert ytd["基本医保统筹累计支付"] == D("30.66")
    assert ytd["其中两病门诊累计支付"] == D("30.66")
    assert ytd["医疗救助累计支付"] == D("17.56")
    assert 'id="patient-pay">19.28<' in html
    for text in ("甲", "乙", "28", "1.50", "42.00", "8.40", "3.36", "30.24", "低保对象"):
        assert text in html
    # The verification code, and a QR code of the public verification address.
    assert settlement.verification_code in html
    assert f"http://testserver/insurance/verify/{settlement.verification_code}/" in html
    assert "<svg" in html and "结算单验证二维码" in html


def test_reading_a_receipt_is_audited(client, insured, settlement):
    client.get(f"/insurance/settlements/{settlement.pk}/receipt/")
    event = AuditEvent.objects.filter(action="read", object_type="registry.person").latest("seq")
    assert event.object_id == str(insured.person.pk)
    assert event.purpose == f"查看结算单 {settlement.pk}"
    assert event.actor_username == "cashier" and event.region_code == insured.person.village_id


def test_the_reversal_receipt_says_reversal_with_negated_amounts(client, settlement):
    key = client.get(f"/insurance/settlements/{settlement.pk}/receipt/").context["reverse_key"]
    done = client.post(
        f"/insurance/settlements/{settlement.pk}/reverse/",
        {"reason": "患者要求退费", "idempotency_key": key},
    )
    page = client.get(done["Location"])
    r = page.context["r"]
    html = page.content.decode()
    assert r.is_reversal and r.reverses_id == settlement.pk
    assert "冲正" in page.context["r"].settlement.get_kind_display()
    assert "冲正 · 撤销结算 #" in html and "患者要求退费" in html
    assert r.breakdown.patient_pay == D("-19.28")
    assert [ln.amount for ln in r.breakdown.lines] == [D("-25.50"), D("-42.00")]
    assert r.breakdown.ytd == []  # the year so far is back where it was


def D(value: str) -> Decimal:
    return Decimal(value)
