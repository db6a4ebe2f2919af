"""A NUL (or another control character) typed or pasted into a page's form or query is
refused with a 400 page naming the field, before any view or service runs: nothing is
written, and PostgreSQL never sees a value it cannot store."""

import pytest

from huimin.audit.models import AuditEvent
from huimin.insurance.models import Visit
from tests.insurance.test_cashier_counter_flow import DAY, HX, counter_client


@pytest.fixture
def at_counter(client, insured):
    return counter_client(client, insured.hospital)


def test_a_nul_in_a_form_is_refused_naming_the_field(at_counter, insured):
    events = AuditEvent.objects.count()
    response = at_counter.post(
        "/insurance/cashier/visits/new/",
        {
            "id_number": insured.id_number,
            "visit_date": DAY.isoformat(),
            "visit_type": "outpatient_chronic",
            "his_visit_no": "MZ\x0001",
        },
        **HX,
    )
    assert response.status_code == 400
    assert "his_visit_no不能含有控制字符" in response.content.decode()
    assert not Visit.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_nul_in_a_query_is_refused_too(at_counter):
    response = at_counter.get("/insurance/cashier/", {"q": "张\x00三"})
    assert response.status_code == 400
    assert "q不能含有控制字符" in response.content.decode()


def test_tabs_and_line_breaks_pass_the_guard(at_counter, insured):
    # Pasted free text keeps its line breaks: the guard refuses only what no one types
    # (whether a field may span lines is its service's call, not the guard's).
    response = at_counter.get("/insurance/cashier/", {"q": "张三\t\n"})
    assert response.status_code == 200
    assert "不能含有控制字符" not in response.content.decode()
