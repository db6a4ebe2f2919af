"""Each counter form carries its own Idempotency-Key (one per rendered form, one per
line's delete button), so a double click or a form resent after a lost answer is one
request: the registration, the fee line, its removal and the discharge happen once.

Before, only the settle and reverse forms had a key: a double-clicked "添加" billed the
line twice, exactly the doubled bill of the crash drill."""

import json
import re

import pytest

from huimin.insurance.models import FeeDetail, Visit
from tests.insurance.test_cashier_counter_flow import (
    CLOPIDOGREL,
    HX,
    add_line,
    counter_client,
    register,
)


@pytest.fixture
def at_counter(client, insured):
    return counter_client(client, insured.hospital)


def keys_in(html: str) -> list[str]:
    hidden = re.findall(r'name="idempotency_key" value="([^"]+)"', html)
    values = [json.loads(v) for v in re.findall(r"hx-vals='([^']+)'", html)]
    return hidden + [v["idempotency_key"] for v in values if "idempotency_key" in v]


def test_a_registration_form_sent_twice_registers_once(at_counter, insured):
    found = at_counter.post(
        "/insurance/cashier/find/",
        {"id_number": insured.id_number, "visit_date": "2026-05-12"},
        **HX,
    )
    (key,) = re.findall(r'name="idempotency_key" value="([^"]+)"', found.content.decode())
    first = register(at_counter, insured.id_number, key=key)
    again = register(at_counter, insured.id_number, key=key)
    # The number was left blank (the page picks it): the resent form is still the same
    # request and lands on the same visit.
    assert first["HX-Redirect"] == again["HX-Redirect"]
    assert Visit.objects.count() == 1


def test_a_double_clicked_line_is_billed_once_and_removed_once(at_counter, insured):
    register(at_counter, insured.id_number)
    visit = Visit.objects.get()
    page = at_counter.get(f"/insurance/cashier/visits/{visit.pk}/").content.decode()
    fee_key = re.search(r'id="add-line".*?name="idempotency_key" value="([^"]+)"', page, re.S)
    for _ in range(2):
        added = add_line(at_counter, visit, CLOPIDOGREL, "28", "1.50", key=fee_key[1])
        assert added.status_code == 200
    assert FeeDetail.objects.count() == 1

    # A second line; each line's delete button has a key of its own.
    listed = add_line(at_counter, visit, CLOPIDOGREL, "2", "1.50").content.decode()
    buttons = re.findall(
        r"fees/(\d+)/cancel/\" hx-vals='\{\"idempotency_key\": \"([^\"]+)\"\}'", listed
    )
    assert [no for no, _ in buttons] == ["1", "2"] and buttons[0][1] != buttons[1][1]
    url = f"/insurance/cashier/visits/{visit.pk}/fees/1/cancel/"
    for _ in range(2):
        removed = at_counter.post(url, {"idempotency_key": buttons[0][1]}, **HX)
        # The second click is answered as the first (not "no line 1 to cancel").
        assert removed.status_code == 200, removed.content.decode()
    assert list(FeeDetail.objects.order_by("line_no").values_list("cancelled", flat=True)) == [
        True,
        False,
    ]


def test_every_form_on_the_page_has_its_own_key(at_counter, insured):
    register(at_counter, insured.id_number, visit_type="inpatient")
    visit = Visit.objects.get()
    add_line(at_counter, visit, CLOPIDOGREL, "2", "1.50")
    page = at_counter.get(f"/insurance/cashier/visits/{visit.pk}/").content.decode()
    keys = keys_in(page)
    # The line's delete button, the add-line form, the discharge form, the settle form.
    assert len(keys) == 4 and len(set(keys)) == 4


def test_a_discharge_form_sent_twice_is_answered_once(at_counter, insured):
    register(at_counter, insured.id_number, visit_type="inpatient")
    visit = Visit.objects.get()
    form = {"discharge_date": "2026-05-15", "idempotency_key": "k" * 24}
    url = f"/insurance/cashier/visits/{visit.pk}/discharge/"
    assert at_counter.post(url, form).status_code == 302
    # Not "该住院不在院": the same form, the same answer.
    assert at_counter.post(url, form).status_code == 302


def test_a_form_without_its_key_is_refused_as_stale(at_counter, insured):
    register(at_counter, insured.id_number)
    visit = Visit.objects.get()
    response = at_counter.post(
        f"/insurance/cashier/visits/{visit.pk}/fees/",
        {"code": "X", "quantity": "1", "unit_price": "1"},
        **HX,
    )
    assert response.status_code == 422
    assert response.context["error"]["code"] == "idempotency_key_required"
    assert not FeeDetail.objects.exists()
