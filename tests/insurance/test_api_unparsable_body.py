"""A body the API cannot read gets 400 in the contract's shape, with a machine code and
a Chinese reason (not ninja's English "Cannot parse request body"). A body that is not
declared JSON is refused before it is read (test_api_json_content_type_required.py)."""

import pytest

from huimin.insurance.models import Visit
from tests.insurance.conftest import visit_body


@pytest.mark.parametrize(
    "body, content_type, reason",
    [
        (b'{"id_number": ', "application/json", "不是有效的JSON"),
        (b'{"his_visit_no": "\xff\xfe"}', "application/json", "UTF-8"),
        (b"[" * 50_000 + b"]" * 50_000, "application/json", "嵌套过深"),
    ],
)
def test_an_unreadable_body_is_400_in_chinese(insured, his, body, content_type, reason):
    r = his.post("/visits", body, content_type=content_type)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "body_unparsable"
    assert reason in error["message"]
    assert "Cannot" not in error["message"]
    assert not Visit.objects.exists()


def test_a_readable_body_still_registers(insured, his):
    assert his.post("/visits", visit_body(insured)).status_code == 201
