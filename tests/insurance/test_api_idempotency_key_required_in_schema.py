"""The OpenAPI schema says what the API does: settle (2207/2304) and reverse (2208/2305)
need an Idempotency-Key; a call without it is still refused with its own code."""

import pytest

from huimin.api import api
from tests.insurance.conftest import visit_body


def header(schema, path):
    params = schema["paths"][path]["post"]["parameters"]
    return next(p for p in params if p["in"] == "header" and p["name"] == "Idempotency-Key")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/insurance/visits/{his_visit_no}/settle",
        "/api/v1/insurance/settlements/{settlement_id}/reverse",
    ],
)
def test_the_schema_marks_the_key_required(path):
    param = header(api.get_openapi_schema(), path)
    assert param["required"] is True
    assert "default" not in param["schema"]


def test_a_call_without_the_key_keeps_its_own_code(insured, his):
    assert his.post("/visits", visit_body(insured)).status_code == 201
    r = his.post("/visits/MZ-1/settle", {}, HTTP_IDEMPOTENCY_KEY=None)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "idempotency_key_required"
