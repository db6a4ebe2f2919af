"""The counter posts to the same services as the API, past the API's parser: a NUL typed
or pasted into a visit or a fee line is refused next to the field, and nothing is
written (PostgreSQL cannot store it; before, a 500 there)."""

from huimin.insurance.models import FeeDetail, Visit
from tests.insurance.test_cashier_counter_flow import (
    CLOPIDOGREL,
    HX,
    code_of,
    counter_client,
    register,
)


def test_a_nul_in_the_diagnosis_is_refused(client, insured):
    at_counter = counter_client(client, insured.hospital)
    response = at_counter.post(
        "/insurance/cashier/visits/new/",
        {
            "id_number": insured.id_number,
            "visit_date": "2026-03-02",
            "visit_type": "outpatient_chronic",
            "diagnosis_code": "I10",
            "diagnosis_name": "高血压\u0000",
        },
        **HX,
    )
    assert response.status_code == 422
    assert not Visit.objects.exists()


def test_a_nul_in_a_fee_line_name_is_refused(client, insured):
    at_counter = counter_client(client, insured.hospital)
    register(at_counter, insured.id_number)
    visit = Visit.objects.get()
    response = at_counter.post(
        f"/insurance/cashier/visits/{visit.pk}/fees/",
        {"code": code_of(CLOPIDOGREL), "name": "a\u0000b", "quantity": "1", "unit_price": "1.50"},
        **HX,
    )
    assert response.status_code == 422
    assert not FeeDetail.objects.exists()
