"""The institution transactions over HTTP with a real machine credential."""

import json

from huimin.audit.models import AuditEvent
from huimin.insurance.models import Visit
from tests.insurance.conftest import EXAMPLES, preload_example_ytd

API = "/api/v1/insurance"


def test_admission_to_settlement_and_reversal(insured, his):
    preload_example_ytd(insured.person)
    r = his.get(f"/persons/{insured.id_number}", data={"on": "2026-03-02"})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["insured"] and body["person_category"] == "dibao"
    assert body["id_number"].count("*") == 8
    assert body["ytd"]["basic_paid"] == "3200.00"
    # The lookup read personal data: audited with the institution that asked.
    read = AuditEvent.objects.filter(
        action="read", object_type="registry.person", object_id=str(insured.person.pk)
    ).latest("seq")
    assert read.institution_id is not None and read.purpose.startswith("1101")

    r = his.post(
        "/visits",
        {
            "id_number": insured.id_number,
            "visit_type": "inpatient",
            "his_visit_no": "ZY-1",
            "visit_date": "2026-03-02",
        },
    )
    assert r.status_code == 201, r.json()
    claim = json.loads((EXAMPLES / "claim-example.json").read_text())
    lines = [
        {
            "code": ln["code"],
            "name": ln["name"],
            "quantity": ln["quantity"],
            "unit_price": ln["unit_price"],
        }
        for ln in claim["lines"]
    ]
    r = his.post("/visits/ZY-1/fees", {"lines": lines})
    assert r.status_code == 201, r.json()
    assert [ln["item_class"] for ln in r.json()] == ["A", "B", "A", "A", "C"]
    assert his.post("/visits/ZY-1/discharge", {"discharge_date": "2026-03-20"}).status_code == 200

    expected = json.loads((EXAMPLES / "settlement-example.json").read_text())
    r = his.post("/visits/ZY-1/pre-settle", {})
    assert r.status_code == 200 and r.json() == expected | {"review_findings": []}

    r = his.post("/visits/ZY-1/settle", {}, HTTP_IDEMPOTENCY_KEY="settle-ZY-1")
    assert r.status_code == 201, r.json()
    settled = r.json()
    assert settled["result"]["patient_pay"] == "7547.01" and not settled["replayed"]
    again = his.post("/visits/ZY-1/settle", {}, HTTP_IDEMPOTENCY_KEY="settle-ZY-1")
    assert again.status_code == 200 and again.json()["replayed"]
    assert again.json()["settlement_id"] == settled["settlement_id"]

    r = his.post(
        f"/settlements/{settled['settlement_id']}/reverse",
        {"reason": "录入错误"},
        HTTP_IDEMPOTENCY_KEY="rev-ZY-1",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["reverses"] == settled["settlement_id"]
    after = his.get(f"/persons/{insured.id_number}", data={"on": "2026-03-02"}).json()
    assert after["ytd"]["basic_paid"] == "3200.00"


def test_settle_without_idempotency_key_is_refused(insured, his):
    r = his.post("/visits/NOPE/settle", {}, HTTP_IDEMPOTENCY_KEY=None)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "idempotency_key_required"
    assert "Idempotency-Key" in r.json()["error"]["fields"]


def test_malformed_quantity_names_the_line(insured, his):
    his.post(
        "/visits",
        {
            "id_number": insured.id_number,
            "visit_type": "inpatient",
            "his_visit_no": "ZY-2",
            "visit_date": "2026-03-02",
        },
    )
    r = his.post(
        "/visits/ZY-2/fees", {"lines": [{"code": "X", "quantity": "1,5", "unit_price": "3.00"}]}
    )
    assert r.status_code == 422
    assert "lines[0].quantity" in r.json()["error"]["fields"]


def test_without_a_token_nothing_is_answered(insured, client):
    r = client.get(f"{API}/persons/{insured.id_number}")
    assert r.status_code == 401


def test_a_patient_is_found_by_social_security_card(insured, his):
    from huimin.registry.models import Person, person_ss_card_fields

    Person.objects.filter(pk=insured.person.pk).update(**person_ss_card_fields("K00012345"))
    r = his.get("/persons/k00012345", data={"on": "2026-03-02"})
    assert r.status_code == 200, r.json()
    assert r.json()["id_number"] == insured.person.id_number_masked
    assert r.json()["insured"] is True
    r = his.post(
        "/visits",
        {
            "id_number": "K00012345",
            "visit_type": "inpatient",
            "his_visit_no": "ZY-CARD",
            "visit_date": "2026-03-02",
        },
    )
    assert r.status_code == 201, r.json()
    # Nobody holds this card; a nine-character key with no digit is no card number.
    r = his.get("/persons/K99999999")
    assert r.status_code == 422 and r.json()["error"]["code"] == "person_not_found"
    r = his.get("/persons/KKKKKKKKK")
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == {"id_number": "社会保障卡卡号应由字母和数字组成"}


def test_a_discharge_entered_by_mistake_is_cancelled(insured, his):
    # 2405: the stay is open again, more fees can be billed, the change is audited.
    his.post(
        "/visits",
        {
            "id_number": insured.id_number,
            "visit_type": "inpatient",
            "his_visit_no": "ZY-D",
            "visit_date": "2026-03-02",
        },
    )
    assert his.post("/visits/ZY-D/discharge", {"discharge_date": "2026-03-05"}).status_code == 200
    r = his.post("/visits/ZY-D/discharge/cancel", {})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "open" and r.json()["discharge_date"] is None
    event = AuditEvent.objects.filter(object_type="insurance.visit").latest("seq")
    assert event.changes["status"] == ["discharged", "open"]
    # Not twice, and never for a settled stay.
    r = his.post("/visits/ZY-D/discharge/cancel", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "visit_not_discharged"


def test_a_discharged_stay_is_reopened_before_its_admission_is_cancelled(insured, his):
    # 2404 on a discharged stay is refused until 2405 has reopened it.
    visit = {
        "id_number": insured.id_number,
        "visit_type": "inpatient",
        "his_visit_no": "ZY-C",
        "visit_date": "2026-03-02",
    }
    assert his.post("/visits", visit).status_code == 201
    assert his.post("/visits/ZY-C/discharge", {"discharge_date": "2026-03-05"}).status_code == 200
    r = his.post("/visits/ZY-C/cancel", {})
    assert r.status_code == 409 and r.json()["error"]["code"] == "visit_discharged"
    assert Visit.objects.get(his_visit_no="ZY-C").status == "discharged"
    assert his.post("/visits/ZY-C/discharge/cancel", {}).status_code == 200
    r = his.post("/visits/ZY-C/cancel", {})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_registration_records_the_attending_doctor_and_refuses_a_malformed_code(insured, his):
    """The doctor's code feeds claim review's per-doctor risk scores (docs/review.md)."""
    body = {
        "id_number": insured.id_number,
        "visit_type": "inpatient",
        "his_visit_no": "ZY-DOC-1",
        "visit_date": "2026-03-02",
        "doctor_code": "D430522001",
    }
    r = his.post("/visits", body)
    assert r.status_code == 201, r.json()
    assert Visit.objects.get(his_visit_no="ZY-DOC-1").doctor_code == "D430522001"
    bad = his.post("/visits", {**body, "his_visit_no": "ZY-DOC-2", "doctor_code": "D 1/2"})
    assert bad.status_code == 422 and "doctor_code" in bad.json()["error"]["fields"]
    assert not Visit.objects.filter(his_visit_no="ZY-DOC-2").exists()
