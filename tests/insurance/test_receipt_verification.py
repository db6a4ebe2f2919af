"""The public verification page behind a receipt's QR code: anyone may check that it is
genuine, and it shows institution, date and amounts — no personal data."""

import pytest

from tests.insurance.test_cashier_counter_flow import counter_client, settled


@pytest.fixture
def settlement(client, insured):
    counter_client(client, insured.hospital)
    s = settled(client, insured)
    client.logout()
    return s


def test_anyone_verifies_a_receipt_without_seeing_who_it_is_for(client, insured, settlement):
    response = client.get(f"/insurance/verify/{settlement.verification_code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "验证通过" in html and "新邵县人民医院" in html
    assert "67.50" in html and "19.28" in html
    assert settlement.settled_at.astimezone().strftime("%Y-%m-%d") in html
    person = insured.person
    for private in (
        person.name,
        person.id_number_masked,
        # The last four digits as a page would show them (four digits alone also occur
        # by chance in amounts, dates and the code).
        "*" + person.id_number_masked[-4:],
        "尾号" + person.id_number_masked[-4:],
        insured.id_number,
        settlement.visit.his_visit_no,
        "低保",
    ):
        assert private not in html, private


def test_a_lowercase_code_is_the_same_code(client, settlement):
    response = client.get(f"/insurance/verify/{settlement.verification_code.lower()}/")
    assert response.status_code == 200 and "验证通过" in response.content.decode()


def test_a_reversed_settlement_says_so(client, insured, settlement):
    counter_client(client, insured.hospital, username="cashier2")
    key = client.get(f"/insurance/settlements/{settlement.pk}/receipt/").context["reverse_key"]
    client.post(
        f"/insurance/settlements/{settlement.pk}/reverse/",
        {"reason": "退费", "idempotency_key": key},
    )
    client.logout()
    html = client.get(f"/insurance/verify/{settlement.verification_code}/").content.decode()
    assert "已冲正" in html


@pytest.mark.parametrize(
    "code", ["000000000000", "NOTACODE", '"><img src=x onerror=alert(1)>', "A" * 300]
)
def test_an_unknown_or_malformed_code_is_not_found(client, settlement, code):
    response = client.get(f"/insurance/verify/{code}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "未找到验证码" in html and "<img" not in html
