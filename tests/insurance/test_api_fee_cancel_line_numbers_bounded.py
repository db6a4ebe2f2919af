"""2205/2302 with a line number beyond any column (2**63) is refused naming the field,
not a 500 (OverflowError); nothing is cancelled."""

import pytest

from huimin.insurance.models import FeeDetail
from tests.insurance.conftest import visit_body
from tests.insurance.test_cashier_counter_flow import AMLODIPINE, code_of


@pytest.mark.parametrize("number", ["9223372036854775808", "99999999999999999999999", "0", "-1"])
def test_an_out_of_range_line_number_is_refused(insured, his, number):
    assert his.post("/visits", visit_body(insured)).status_code == 201
    line = {"code": code_of(AMLODIPINE), "quantity": "1", "unit_price": "0.85"}
    assert his.post("/visits/MZ-1/fees", {"lines": [line]}).status_code == 201
    r = his.post("/visits/MZ-1/fees/cancel", f'{{"line_nos": [1, {number}]}}')
    assert r.status_code == 422, r.content
    assert "line_nos[1]" in r.json()["error"]["fields"]
    assert FeeDetail.objects.filter(cancelled=False).count() == 1
