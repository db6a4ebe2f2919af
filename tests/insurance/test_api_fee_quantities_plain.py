"""2204/2301 echoes quantities and prices as plain decimals matching the API's own input
pattern (before, whole quantities came back as "1E+1")."""

import re

from tests.insurance.conftest import visit_body

QUANTITY = re.compile(r"^\d{1,8}(\.\d{1,4})?$")
PRICE = re.compile(r"^\d{1,10}(\.\d{1,4})?$")
LINE = {"code": "003105030010000", "name": "床位费", "unit_price": "1.00"}


def test_quantities_and_prices_come_back_without_exponent(insured, his):
    assert his.post("/visits", visit_body(insured)).status_code == 201
    quantities = ["10", "100", "2.50", "0.125", "12345678"]
    lines = [{**LINE, "quantity": q} for q in quantities] + [
        {**LINE, "quantity": "1", "unit_price": "100"}
    ]
    r = his.post("/visits/MZ-1/fees", {"lines": lines})
    assert r.status_code == 201, r.content
    out = r.json()
    assert [ln["quantity"] for ln in out] == ["10", "100", "2.5", "0.125", "12345678", "1"]
    assert all(QUANTITY.match(ln["quantity"]) for ln in out)
    assert all(PRICE.match(ln["unit_price"]) for ln in out)
    assert out[-1]["unit_price"] == "100"
