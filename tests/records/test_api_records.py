"""The records API: the record (audited, with its timeline), forms saved as drafts or
signed, amendments, and the issue's bad inputs in the error contract."""

import datetime

import pytest

from huimin.audit.models import AuditEvent
from huimin.records.models import Form, FormStatus
from tests.records.test_pages_record import settled_visit

D = datetime.date

GOOD = {
    "visit_date": "2026-03-02",
    "mode": "1",
    "symptoms": ["1"],
    "systolic": 138,
    "diastolic": 86,
    "height": "170",
    "weight": 72.5,
    "adherence": "1",
    "adverse_reaction": "1",
    "classification": "1",
    "next_visit_date": "2026-06-01",
    "doctor": "李医生",
    "medications": [{"name": "氨氯地平片", "dose": "5mg qd"}],
}


@pytest.fixture
def api(client, village_doctor):
    client.force_login(village_doctor)
    return client


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def create(client, record, data, sign=True, **extra):
    return post(
        client,
        f"/api/v1/records/{record.pk}/forms/htn_followup",
        {"data": data, "sign": sign, **extra},
    )


def test_get_record_is_audited_and_carries_the_timeline(api, hypertensive):
    settled_visit(hypertensive.person, D(2026, 4, 3))
    create(api, hypertensive, GOOD)
    response = api.get(f"/api/v1/records/{hypertensive.pk}", HTTP_X_HUIMIN_PURPOSE="随访")
    assert response.status_code == 200
    body = response.json()
    assert body["header"]["number"] == hypertensive.number
    assert body["header"]["in_use"] is True
    assert [p["kind"] for p in body["programmes"]] == ["hypertension"]
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds == ["visit", "form"]
    visit = body["timeline"][0]
    assert visit["dispensed"] == [{"name": "氨氯地平片", "quantity": "28"}]
    assert visit["patient_pay"] == "12.30"
    assert visit["followup_kinds"] == ["htn_followup"]
    assert AuditEvent.objects.filter(
        action="read", object_type="records.record", object_id=str(hypertensive.pk), purpose="随访"
    ).exists()


def test_another_village_gets_404_in_the_error_contract(client, other_village_doctor, hypertensive):
    client.force_login(other_village_doctor)
    response = client.get(f"/api/v1/records/{hypertensive.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert AuditEvent.objects.filter(
        object_type="records.record", object_id=str(hypertensive.pk), outcome="denied"
    ).exists()


def test_sign_a_follow_up_and_read_it_back(api, hypertensive):
    response = create(api, hypertensive, GOOD)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "signed" and body["problems"] == []
    assert body["data"]["bmi"] == "25.1"
    again = api.get(f"/api/v1/records/forms/{body['id']}")
    assert again.status_code == 200 and again.json()["data"]["systolic"] == 138


def test_follow_up_without_date_or_doctor_is_refused(api, hypertensive):
    data = {k: v for k, v in GOOD.items() if k not in ("visit_date", "doctor")}
    response = create(api, hypertensive, data)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"]["visit_date"] == "请填写随访日期"
    assert "doctor" in error["fields"]
    assert not Form.objects.exists()


def test_blood_pressure_80_over_120_is_refused_on_signing_and_flagged_on_a_draft(api, hypertensive):
    data = {**GOOD, "systolic": 80, "diastolic": 120}
    refused = create(api, hypertensive, data)
    assert refused.status_code == 422
    assert "填反" in refused.json()["error"]["fields"]["systolic"]
    draft = create(api, hypertensive, data, sign=False)
    assert draft.status_code == 201
    body = draft.json()
    assert body["status"] == "draft"
    assert body["problems"][0]["code"] == "systolic_not_above_diastolic"
    assert body["data"]["systolic"] == 80  # nothing lost


def test_a_draft_is_continued_and_signed(api, hypertensive):
    draft = create(api, hypertensive, {**GOOD, "doctor": ""}, sign=False).json()
    response = post(api, f"/api/v1/records/forms/{draft['id']}", {"data": GOOD, "sign": True})
    assert response.status_code == 200
    assert response.json()["status"] == "signed"


def test_overwriting_a_signed_form_is_refused_with_form_signed(api, hypertensive):
    signed = create(api, hypertensive, GOOD).json()
    response = post(
        api, f"/api/v1/records/forms/{signed['id']}", {"data": {**GOOD, "systolic": 150}}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "form_signed"
    assert Form.objects.get(pk=signed["id"]).systolic == 138


def test_amend_keeps_the_original(api, hypertensive):
    signed = create(api, hypertensive, GOOD).json()
    url = f"/api/v1/records/forms/{signed['id']}/amend"
    no_reason = post(api, url, {"data": GOOD, "reason": " "})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["error"]["fields"]
    response = post(api, url, {"data": {**GOOD, "systolic": 142}, "reason": "抄录错误"})
    assert response.status_code == 201
    amendment = response.json()
    assert amendment["amends_id"] == signed["id"] and amendment["data"]["systolic"] == 142
    original = api.get(f"/api/v1/records/forms/{signed['id']}").json()
    assert original["status"] == FormStatus.AMENDED
    assert original["amended_by_id"] == amendment["id"]
    assert original["data"]["systolic"] == 138


def test_a_form_for_a_deceased_person_after_death_is_refused(api, hypertensive):
    person = hypertensive.person
    person.death_date = D(2026, 2, 1)
    person.save()
    response = create(api, hypertensive, GOOD)
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["visit_date"].startswith("服务日期晚于居民死亡日期")


def test_visit_and_programme_must_belong_to_the_record(api, hypertensive, resident_record):
    from tests import factories

    stranger = factories.make_person("路人乙")
    visit = settled_visit(stranger, D(2026, 4, 3))
    response = create(api, hypertensive, GOOD, visit_id=visit.pk)
    assert response.status_code == 422 and "visit" in response.json()["error"]["fields"]
    response = create(api, hypertensive, GOOD, programme_id=987654)
    assert response.status_code == 422 and "programme" in response.json()["error"]["fields"]
    own = settled_visit(hypertensive.person, D(2026, 4, 3), no="OWN1")
    programme = hypertensive.programmes.get()
    ok = create(api, hypertensive, GOOD, visit_id=own.pk, programme_id=programme.pk)
    assert ok.status_code == 201
    assert ok.json()["visit_id"] == own.pk and ok.json()["programme_id"] == programme.pk


def test_unknown_form_kind_is_a_422(api, hypertensive):
    response = post(api, f"/api/v1/records/{hypertensive.pk}/forms/nonsense", {"data": {}})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["kind"]


def test_anonymous_requests_are_401(client, hypertensive):
    assert client.get(f"/api/v1/records/{hypertensive.pk}").status_code == 401
