"""Programmes over the API: register (纳入管理) and end (结束管理) with the error contract."""

import datetime

import pytest

from huimin.records import services
from huimin.records.models import DueService, Programme


@pytest.fixture
def api(client, village_doctor):
    client.force_login(village_doctor)
    return client


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_register_puts_the_patient_on_the_due_list_and_end_takes_him_off(api, resident_record):
    today = services.today()
    response = post(
        api,
        f"/api/v1/records/{resident_record.pk}/programmes",
        {"kind": "diabetes", "registered_on": today.isoformat()},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "diabetes" and body["label"] == "2型糖尿病患者健康管理"
    assert body["open"] is True
    assert DueService.objects.filter(record=resident_record, service="dm_followup").exists()

    response = post(
        api,
        f"/api/v1/records/programmes/{body['id']}/end",
        {"ended_on": today.isoformat(), "reason": "moved"},
    )
    assert response.status_code == 200 and response.json()["open"] is False
    assert not DueService.objects.filter(record=resident_record, service="dm_followup").exists()


def test_a_pregnancy_for_a_man_is_refused_naming_the_field(api, resident_record):
    response = post(
        api,
        f"/api/v1/records/{resident_record.pk}/programmes",
        {
            "kind": "pregnancy",
            "registered_on": "2026-10-01",
            "last_menstrual_period": "2026-08-20",
        },
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed" and error["fields"]
    assert not Programme.objects.exists()


def test_ending_twice_is_a_conflict(api, hypertensive):
    programme = Programme.objects.get(record=hypertensive)
    url = f"/api/v1/records/programmes/{programme.pk}/end"
    day = datetime.date(2026, 3, 1).isoformat()
    assert post(api, url, {"ended_on": day, "reason": "moved"}).status_code == 200
    again = post(api, url, {"ended_on": day, "reason": "moved"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "programme_ended"


def test_another_villages_doctor_cannot_register(client, other_village_doctor, resident_record):
    client.force_login(other_village_doctor)
    response = post(
        client,
        f"/api/v1/records/{resident_record.pk}/programmes",
        {"kind": "hypertension", "registered_on": "2026-10-01"},
    )
    assert response.status_code == 404
    assert not Programme.objects.exists()
