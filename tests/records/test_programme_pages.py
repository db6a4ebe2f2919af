"""纳入管理 / 结束管理 from the record page: registered patients get their due services;
a delivery starts the postpartum visits; bad input names the field and changes nothing."""

import datetime

import pytest

from huimin.records import services
from huimin.records.models import DueService, Programme
from tests import factories


@pytest.fixture
def doctor_client(client, village_doctor):
    client.force_login(village_doctor)
    return client


def test_registering_hypertension_puts_the_follow_up_on_the_due_list(
    doctor_client, resident_record
):
    page = doctor_client.get(f"/records/{resident_record.pk}/programmes/new/")
    assert "纳入专项管理" in page.content.decode()
    response = doctor_client.post(
        f"/records/{resident_record.pk}/programmes/new/",
        {"kind": "hypertension", "registered_on": services.today().isoformat()},
    )
    assert response.status_code == 302
    programme = Programme.objects.get(record=resident_record)
    assert programme.kind == "hypertension" and programme.ended_on is None
    assert DueService.objects.filter(record=resident_record, service="htn_followup").exists()
    record_page = doctor_client.get(f"/records/{resident_record.pk}/").content.decode()
    assert "结束管理" in record_page


def test_a_pregnancy_for_a_man_is_refused_naming_the_reason(doctor_client, resident_record):
    response = doctor_client.post(
        f"/records/{resident_record.pk}/programmes/new/",
        {"kind": "pregnancy", "registered_on": "2026-11-01", "lmp": "2026-09-01"},
    )
    assert response.status_code == 422
    assert not Programme.objects.exists()
    body = response.content.decode()
    assert 'value="2026-09-01"' in body  # what was typed stays


def test_a_delivery_ends_the_pregnancy_and_starts_the_postpartum_visits(
    doctor_client, village_doctor
):
    today = services.today()
    mother = factories.make_person("孙梅", birth=datetime.date(1996, 4, 2), sex="2")
    record = services.do_open_record(village_doctor, mother.pk)
    lmp = today - datetime.timedelta(days=270)
    doctor_client.post(
        f"/records/{record.pk}/programmes/new/",
        {
            "kind": "pregnancy",
            "registered_on": (lmp + datetime.timedelta(days=60)).isoformat(),
            "lmp": lmp.isoformat(),
        },
    )
    pregnancy = Programme.objects.get(record=record, kind="pregnancy")
    delivered = today - datetime.timedelta(days=2)
    # A delivery without its date is refused and the pregnancy stays open.
    response = doctor_client.post(
        f"/records/programmes/{pregnancy.pk}/end/",
        {"reason": "delivery", "ended_on": delivered.isoformat()},
    )
    assert response.status_code == 422
    assert "请填写分娩日期" in response.content.decode()
    pregnancy.refresh_from_db()
    assert pregnancy.ended_on is None

    response = doctor_client.post(
        f"/records/programmes/{pregnancy.pk}/end/",
        {
            "reason": "delivery",
            "ended_on": delivered.isoformat(),
            "delivery_date": delivered.isoformat(),
        },
    )
    assert response.status_code == 302
    pregnancy.refresh_from_db()
    assert pregnancy.ended_on == delivered and pregnancy.details["delivery_date"]
    assert DueService.objects.filter(record=record, service="postpartum_visit").exists()


def test_programme_pages_keep_to_the_jurisdiction(client, other_village_doctor, hypertensive):
    client.force_login(other_village_doctor)
    assert client.get(f"/records/{hypertensive.pk}/programmes/new/").status_code == 404
    programme = Programme.objects.get(record=hypertensive)
    response = client.post(
        f"/records/programmes/{programme.pk}/end/", {"reason": "moved", "ended_on": "2026-01-01"}
    )
    assert response.status_code == 404
    programme.refresh_from_db()
    assert programme.ended_on is None


def test_readers_without_record_write_cannot_register(client, county, hypertensive):
    assessor = factories.make_staff("kaohe", "assessor", factories.COUNTY)
    client.force_login(assessor)
    response = client.post(
        f"/records/{hypertensive.pk}/programmes/new/",
        {"kind": "diabetes", "registered_on": "2026-11-01"},
    )
    assert response.status_code == 403
    assert not Programme.objects.filter(kind="diabetes").exists()
