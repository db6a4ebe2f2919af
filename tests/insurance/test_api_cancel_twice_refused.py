"""Cancelling what is already cancelled, or fee lines that do not exist, is refused
(409 visit_closed; 422 naming the line numbers), changing and auditing nothing."""

from huimin.audit.models import AuditEvent
from huimin.insurance.models import FeeDetail
from tests.insurance.conftest import visit_body

LINE = {"code": "003105030010000", "name": "床位费", "quantity": "1", "unit_price": "1.00"}


def audits(object_type):
    return AuditEvent.objects.filter(object_type=object_type, action="update").count()


def test_cancelling_a_cancelled_visit_is_409(insured, his):
    assert his.post("/visits", visit_body(insured)).status_code == 201
    assert his.post("/visits/MZ-1/cancel", {}).status_code == 200
    before = audits("insurance.visit")
    r = his.post("/visits/MZ-1/cancel", {})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "visit_closed"
    assert audits("insurance.visit") == before


def test_cancelling_lines_that_do_not_exist_names_them(insured, his):
    assert his.post("/visits", visit_body(insured)).status_code == 201
    assert his.post("/visits/MZ-1/fees", {"lines": [LINE, LINE]}).status_code == 201
    assert his.post("/visits/MZ-1/fees/cancel", {"line_nos": [2]}).json() == {"cancelled": 1}
    before = audits("insurance.fees")
    r = his.post("/visits/MZ-1/fees/cancel", {"line_nos": [1, 2, 99]})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "unknown_line"
    assert "2、99" in error["fields"]["line_nos"]
    # Line 1 exists, but nothing is cancelled when part of the request is wrong.
    assert FeeDetail.objects.get(line_no=1).cancelled is False
    assert audits("insurance.fees") == before
