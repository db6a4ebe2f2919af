"""ID numbers at the institution's door: 1101 lookup, 2201 registration and the cashier's
find page read full-width digits as ASCII, refuse other digits with a reason (a
superscript ² was a 500), and a lookup by a 15-digit legacy number finds its holder."""

import pytest

from huimin.insurance.models import Visit
from tests.insurance.conftest import visit_body
from tests.insurance.test_cashier_counter_flow import DAY, HX, counter_client


def full_width(number: str) -> str:
    return "".join(chr(ord(c) - ord("0") + 0xFF10) if c.isdigit() else "Ｘ" for c in number)


def superscript(number: str) -> str:
    return number[:3] + "²" + number[4:]


def arabic_indic(number: str) -> str:
    return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in number)


def legacy(number: str) -> str:
    return number[:6] + number[8:17]


@pytest.mark.parametrize("spell", [superscript, arabic_indic])
def test_lookup_refuses_other_digits(insured, his, spell):
    r = his.get(f"/persons/{spell(insured.id_number)}", data={"on": "2026-03-02"})
    assert r.status_code == 422, r.content
    assert "全角" in r.json()["error"]["fields"]["id_number"]


def test_lookup_reads_full_width_digits(insured, his):
    r = his.get(f"/persons/{full_width(insured.id_number)}", data={"on": "2026-03-02"})
    assert r.status_code == 200, r.content
    assert r.json()["name"] == "邓建国"


def test_lookup_by_the_legacy_number_finds_the_holder(insured, his):
    r = his.get(f"/persons/{legacy(insured.id_number)}", data={"on": "2026-03-02"})
    assert r.status_code == 200, r.content
    assert r.json()["name"] == "邓建国"


@pytest.mark.parametrize("spell", [superscript, arabic_indic])
def test_registration_refuses_other_digits(insured, his, spell):
    r = his.post("/visits", visit_body(insured, id_number=spell(insured.id_number)))
    assert r.status_code == 422, r.content
    assert "id_number" in r.json()["error"]["fields"]
    assert not Visit.objects.exists()


def test_registration_reads_full_width_digits(insured, his):
    r = his.post("/visits", visit_body(insured, id_number=full_width(insured.id_number)))
    assert r.status_code == 201, r.content
    assert Visit.objects.get().person == insured.person


def find(client, id_number):
    return client.post(
        "/insurance/cashier/find/", {"id_number": id_number, "visit_date": DAY.isoformat()}, **HX
    )


@pytest.mark.parametrize("spell", [superscript, arabic_indic])
def test_cashier_find_page_says_why(client, insured, spell):
    at_counter = counter_client(client, insured.hospital)
    r = find(at_counter, spell(insured.id_number))
    assert r.status_code < 500
    assert "全角" in r.content.decode()


@pytest.mark.parametrize("spell", [full_width, legacy])
def test_cashier_find_page_finds_full_width_and_legacy_numbers(client, insured, spell):
    at_counter = counter_client(client, insured.hospital)
    r = find(at_counter, spell(insured.id_number))
    assert r.status_code == 200
    assert insured.person.id_number_masked in r.content.decode()
