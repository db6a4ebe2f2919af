"""An institution's call with an unknown field is refused naming it, nested lines
included: a misspelt `diagnosis_cod` must not register a visit without its diagnosis."""

from huimin.insurance.models import Visit
from tests.insurance.conftest import visit_body


def test_unknown_field_in_a_nested_line_is_named_with_its_place(insured, his):
    assert his.post("/visits", visit_body(insured)).status_code == 201
    line = {"code": "X", "quantity": "1", "unit_price": "1.00", "colour": "red"}
    r = his.post("/visits/MZ-1/fees", {"lines": [line]})
    assert r.status_code == 422, r.content
    assert r.json()["error"]["fields"] == {"lines[0].colour": "未定义的字段"}


def test_unknown_field_at_an_institution_endpoint_is_refused(insured, his):
    r = his.post("/visits", visit_body(insured, diagnosis_cod="I10"))
    assert r.status_code == 422
    assert not Visit.objects.exists()
    assert r.json()["error"]["fields"] == {"diagnosis_cod": "未定义的字段"}
