"""The safety net: whatever input still reaches the database and is refused there
(psycopg's DataError, e.g. a NUL) is answered 400 in the contract's shape, not 500."""

import json

from django.db import DataError
from django.test import RequestFactory

from huimin.api import on_data_error


def test_a_data_error_is_answered_400_in_the_contract_shape():
    request = RequestFactory().post("/api/v1/insurance/visits")
    exc = DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    response = on_data_error(request, exc)
    assert response.status_code == 400
    error = json.loads(response.content)["error"]
    assert error["code"] == "data_rejected"
    assert set(error) == {"code", "message", "fields"}
    assert "NUL" in error["message"] and "0x00" not in error["message"]
