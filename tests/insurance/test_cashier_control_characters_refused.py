"""A NUL (or another control character) typed or pasted into a counter form or a page's
query is refused with a 400 page naming the field, before any view or service runs:
nothing is written, and PostgreSQL never sees a value it cannot store (before, a 500).
The services the counter shares with the API check again, for callers past both."""

import pytest

from huimin.audit.models import AuditEvent
from huimin.insurance.models import FeeDetail, Visit
from tests.insurance.test_cashier_counter_flow import (
    CLOPIDOGREL,
    DAY,
    HX,
    code_of,
    counter_client,
    register,
)


@pytest.fixture
def at_counter(client, insured):
    return counter_client(client, insured.hospital)


def refused(response, field: str) -> None:
    assert response.status_code == 400
    assert f"{field}不能含有控制字符" in response.content.decode()


def test_a_nul_in_the_diagnosis_is_refused(at_counter, insured):
    events = AuditEvent.objects.count()
    response = at_counter.post(
        "/insurance/cashier/visits/new/",
        {
            "id_number": insured.id_number,
            "visit_date": DAY.isoformat(),
            "visit_type": "outpatient_chronic",
            "diagnosis_code": "I10",
            "diagnosis_name": "高血压\u0000",
        },
        **HX,
    )
    refused(response, "diagnosis_name")
    assert not Visit.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_nul_in_a_visit_number_is_refused(at_counter, insured):
    response = register(at_counter, insured.id_number, his_visit_no="MZ\x0001")
    refused(response, "his_visit_no")
    assert not Visit.objects.exists()


def test_a_nul_in_a_fee_line_name_is_refused(at_counter, insured):
    register(at_counter, insured.id_number)
    visit = Visit.objects.get()
    response = at_counter.post(
        f"/insurance/cashier/visits/{visit.pk}/fees/",
        {"code": code_of(CLOPIDOGREL), "name": "a\u0000b", "quantity": "1", "unit_price": "1.50"},
        **HX,
    )
    refused(response, "name")
    assert not FeeDetail.objects.exists()


def test_a_nul_in_a_query_is_refused_too(at_counter):
    refused(at_counter.get("/insurance/cashier/", {"q": "张\x00三"}), "q")


def test_tabs_and_line_breaks_pass_the_guard(at_counter):
    # Pasted free text keeps its line breaks: the guard refuses only what no one types
    # (whether a field may span lines is its service's call, not the guard's).
    response = at_counter.get("/insurance/cashier/", {"q": "张三\t\n"})
    assert response.status_code == 200
    assert "不能含有控制字符" not in response.content.decode()
