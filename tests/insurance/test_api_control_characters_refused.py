"""A NUL (or another control character) anywhere in the API's input is refused with 422
naming the field, on SQLite and PostgreSQL alike, and nothing is written. PostgreSQL
cannot store a NUL at all: before, these were 500s there and stored as sent on SQLite."""

import pytest

from huimin.insurance.models import FeeDetail, Visit
from tests.insurance.conftest import visit_body

LINE = {"code": "003105030010000", "name": "床位费", "quantity": "1", "unit_price": "1.00"}


def refused(r, field):
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert error["code"] == "validation_failed"
    assert "控制字符" in error["fields"][field]
    assert field in error["message"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("his_visit_no", "A\u0000B"),
        ("diagnosis_name", "x\u0000y"),
        ("diagnosis_code", "I10\u0001"),
        ("visit_type", "inpatient\u001b"),
        # A name is one line; free text (below) may break lines.
        ("diagnosis_name", "原发性高血压\n（复诊）"),
    ],
)
def test_a_control_character_in_a_visit_is_refused(insured, his, field, value):
    refused(his.post("/visits", visit_body(insured, **{field: value})), field)
    assert not Visit.objects.exists()


def test_a_nul_in_a_fee_line_is_refused_and_nothing_is_billed(insured, his):
    assert his.post("/visits", visit_body(insured)).status_code == 201
    r = his.post("/visits/MZ-1/fees", {"lines": [LINE, {**LINE, "name": "a\u0000b"}]})
    refused(r, "lines[1].name")
    assert not FeeDetail.objects.exists()


def test_a_nul_in_a_path_parameter_is_refused(insured, his):
    assert his.post("/visits", visit_body(insured)).status_code == 201
    refused(his.post("/visits/MZ%001/cancel", {}), "his_visit_no")
    assert Visit.objects.get().status == "open"


def test_a_nul_in_a_query_parameter_is_refused(insured, his):
    refused(his.get(f"/persons/{insured.id_number}", data={"on": "2026-03-02\u0000"}), "on")


def test_free_text_keeps_its_line_breaks(insured, his):
    assert his.post("/visits", visit_body(insured)).status_code == 201
    line = {**LINE, "override_reason": "病情需要\r\n已告知"}
    r = his.post("/visits/MZ-1/fees", {"lines": [line]})
    assert r.status_code == 201, r.json()
