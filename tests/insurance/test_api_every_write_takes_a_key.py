"""Every institution transaction that writes takes an Idempotency-Key (core/idempotency.py):
the schema marks it required, a call without it is refused with the contract's own code
and writes nothing, and a retry gets the first answer — the answer as it was, even after
the visit has moved on.

Before, only settle and reverse took a key: registration, fee upload and its cancel,
discharge and the cancels answered a resent request as a new one (201 again, or a 409
for what the first request had done)."""

import datetime

import pytest

from huimin.api import api
from huimin.audit.models import AuditEvent
from huimin.core.errors import ValidationFailed
from huimin.insurance.models import FeeDetail, Visit
from huimin.insurance.services.visits import VisitData, register_visit_once
from tests.insurance.conftest import visit_body

INSURANCE = "/api/v1/insurance"
# Writes nothing: a pre-settlement is computed and answered. Reconciliation (3201/3202)
# records the comparison it answers but moves nothing; a resent one compares again.
KEYLESS = {
    "/persons/lookup",  # 1101 with the number in the body: a read
    "/visits/{his_visit_no}/pre-settle",
    "/reconciliation/totals",
    "/reconciliation/details",
}
WRITES = {
    "/visits": visit_body,
    "/visits/{his_visit_no}/cancel": None,
    "/visits/{his_visit_no}/discharge": {"discharge_date": "2026-03-20"},
    "/visits/{his_visit_no}/discharge/cancel": None,
    "/visits/{his_visit_no}/fees": {"lines": [{"code": "X", "quantity": "1", "unit_price": "1"}]},
    "/visits/{his_visit_no}/fees/cancel": {},
    "/visits/{his_visit_no}/settle": {},
    "/settlements/{settlement_id}/reverse": {"reason": "录入错误"},
}
LINE = {"code": "XC01EBL134A001010101445", "quantity": "2", "unit_price": "10.00"}


def test_the_schema_marks_the_key_required_on_every_write():
    schema = api.get_openapi_schema()
    posts = {
        path.removeprefix(INSURANCE)
        for path, operations in schema["paths"].items()
        if path.startswith(INSURANCE + "/") and "post" in operations
    }
    # A new write must be put in one list or the other.
    assert posts == set(WRITES) | KEYLESS
    for path in WRITES:
        params = schema["paths"][INSURANCE + path]["post"]["parameters"]
        (key,) = [p for p in params if p["in"] == "header" and p["name"] == "Idempotency-Key"]
        assert key["required"] is True and "default" not in key["schema"], path


@pytest.mark.parametrize("path", sorted(WRITES))
def test_a_write_without_a_key_is_refused_and_writes_nothing(insured, his, path):
    assert his.post("/visits", visit_body(insured, "ZY-1")).status_code == 201
    before = (Visit.objects.count(), FeeDetail.objects.count(), AuditEvent.objects.count())
    body = WRITES[path](insured, "ZY-2") if callable(WRITES[path]) else WRITES[path]
    url = path.replace("{his_visit_no}", "ZY-1").replace("{settlement_id}", "1")
    r = his.post(url, body if body is not None else {}, HTTP_IDEMPOTENCY_KEY=None)
    assert r.status_code == 422, r.json()
    assert r.json()["error"]["code"] == "idempotency_key_required"
    assert set(r.json()["error"]["fields"]) == {"Idempotency-Key"}
    after = (Visit.objects.count(), FeeDetail.objects.count(), AuditEvent.objects.count())
    assert after == before


def test_a_registration_retried_is_answered_200_with_the_first_answer(insured, his):
    first = his.post("/visits", visit_body(insured, "ZY-1"), HTTP_IDEMPOTENCY_KEY="r-1")
    again = his.post("/visits", visit_body(insured, "ZY-1"), HTTP_IDEMPOTENCY_KEY="r-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Visit.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="insurance.visit", action="create").count() == 1


def test_the_same_key_with_another_body_or_operation_is_a_409(insured, his):
    assert (
        his.post("/visits", visit_body(insured, "ZY-1"), HTTP_IDEMPOTENCY_KEY="k").status_code
        == 201
    )
    other = his.post("/visits", visit_body(insured, "ZY-2"), HTTP_IDEMPOTENCY_KEY="k")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reuse"
    # A key names one request: not reusable for the next transaction either.
    upload = his.post("/visits/ZY-1/fees", {"lines": [LINE]}, HTTP_IDEMPOTENCY_KEY="k")
    assert upload.status_code == 409
    assert upload.json()["error"]["code"] == "idempotency_key_reuse"
    assert Visit.objects.count() == 1 and not FeeDetail.objects.exists()


def test_a_refusal_is_not_kept_so_the_key_may_carry_the_corrected_request(insured, his):
    assert his.post("/visits", visit_body(insured, "ZY-1")).status_code == 201
    early = {"discharge_date": "2026-03-01"}  # before the admission on 2 March
    refused = his.post("/visits/ZY-1/discharge", early, HTTP_IDEMPOTENCY_KEY="d-1")
    assert refused.status_code == 422
    right = {"discharge_date": "2026-03-20"}
    done = his.post("/visits/ZY-1/discharge", right, HTTP_IDEMPOTENCY_KEY="d-1")
    assert done.status_code == 200 and done.json()["status"] == "discharged"


def test_replays_repeat_the_first_answer_after_the_visit_moved_on(insured, his):
    assert his.post("/visits", visit_body(insured, "ZY-1")).status_code == 201
    upload = his.post("/visits/ZY-1/fees", {"lines": [LINE, LINE]}, HTTP_IDEMPOTENCY_KEY="f-1")
    assert upload.status_code == 201
    cancel = {"line_nos": [2]}
    assert his.post("/visits/ZY-1/fees/cancel", cancel, HTTP_IDEMPOTENCY_KEY="c-1").json() == {
        "cancelled": 1
    }
    discharge = {"discharge_date": "2026-03-20"}
    first = his.post("/visits/ZY-1/discharge", discharge, HTTP_IDEMPOTENCY_KEY="d-1")
    assert first.json()["status"] == "discharged"
    reopened = his.post("/visits/ZY-1/discharge/cancel", {}, HTTP_IDEMPOTENCY_KEY="o-1")
    assert reopened.json()["status"] == "open"
    assert his.post("/visits/ZY-1/discharge", discharge).status_code == 200
    assert his.post("/visits/ZY-1/settle", {}).status_code == 201

    # The visit is settled now; each retry still gets what its first request answered,
    # not "already settled", and changes nothing.
    visits, lines = list(Visit.objects.values()), list(FeeDetail.objects.values())
    audit = AuditEvent.objects.count()
    again = his.post("/visits/ZY-1/fees", {"lines": [LINE, LINE]}, HTTP_IDEMPOTENCY_KEY="f-1")
    assert again.status_code == 200 and again.json() == upload.json()
    again = his.post("/visits/ZY-1/fees/cancel", cancel, HTTP_IDEMPOTENCY_KEY="c-1")
    assert again.status_code == 200 and again.json() == {"cancelled": 1}
    again = his.post("/visits/ZY-1/discharge", discharge, HTTP_IDEMPOTENCY_KEY="d-1")
    assert again.status_code == 200 and again.json() == first.json()
    again = his.post("/visits/ZY-1/discharge/cancel", {}, HTTP_IDEMPOTENCY_KEY="o-1")
    assert again.status_code == 200 and again.json() == reopened.json()
    assert list(Visit.objects.values()) == visits and list(FeeDetail.objects.values()) == lines
    assert AuditEvent.objects.count() == audit


def test_a_cancelled_registration_retried_is_not_a_conflict(insured, his):
    assert his.post("/visits", visit_body(insured, "ZY-1")).status_code == 201
    first = his.post("/visits/ZY-1/cancel", {}, HTTP_IDEMPOTENCY_KEY="x-1")
    again = his.post("/visits/ZY-1/cancel", {}, HTTP_IDEMPOTENCY_KEY="x-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.json()["status"] == "cancelled"
    # A new request to cancel it again is still told it is cancelled already.
    assert his.post("/visits/ZY-1/cancel", {}).json()["error"]["code"] == "visit_closed"


def test_keys_are_per_institution(insured, his):
    assert (
        his.post("/visits", visit_body(insured, "ZY-1"), HTTP_IDEMPOTENCY_KEY="k").status_code
        == 201
    )
    # The same key from another hospital is its own request.
    data = VisitData(
        id_number=insured.id_number,
        visit_type="inpatient",
        his_visit_no="ZY-1",
        visit_date=datetime.date(2026, 3, 2),
    )
    visit, replayed = register_visit_once(insured.hospital, data, "k")
    assert not replayed and visit.institution_id == insured.hospital.pk
    assert Visit.objects.count() == 2


def test_a_number_no_one_could_hash_is_refused_as_a_bad_number(insured):
    # The ID number goes into the request's hash before the lookup refuses it: a lone
    # surrogate must not make that hash a 500.
    data = VisitData(
        id_number="\ud800" * 18,
        visit_type="inpatient",
        his_visit_no="ZY-1",
        visit_date=datetime.date(2026, 3, 2),
    )
    with pytest.raises(ValidationFailed) as exc:
        register_visit_once(insured.hospital, data, "k")
    assert "id_number" in exc.value.fields
