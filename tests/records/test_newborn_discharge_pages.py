"""The discharge date entered on the programme pages drives the home visits on the due
list; a tuberculosis registration puts the first home visit there."""

import datetime

import pytest

from huimin.records import services
from huimin.records.models import DueService, Programme
from tests import factories


@pytest.fixture
def doctor_client(client, village_doctor):
    client.force_login(village_doctor)
    return client


def test_a_child_registered_with_its_discharge_date_is_due_the_visit_within_7_days(
    doctor_client, village_doctor
):
    today = services.today()
    born = today - datetime.timedelta(days=5)
    baby = factories.make_person("王宝宝", birth=born, sex="1")
    record = services.do_open_record(village_doctor, baby.pk)
    discharged = born + datetime.timedelta(days=3)
    response = doctor_client.post(
        f"/records/{record.pk}/programmes/new/",
        {
            "kind": "child",
            "registered_on": today.isoformat(),
            "discharge_date": discharged.isoformat(),
        },
    )
    assert response.status_code == 302
    assert Programme.objects.get(record=record).details["discharge_date"] == discharged.isoformat()
    row = DueService.objects.get(record=record, service="newborn_visit", occasion="newborn")
    assert (row.due_on, row.overdue_on) == (discharged, discharged + datetime.timedelta(days=8))


def test_a_discharge_before_birth_is_refused_naming_the_field(doctor_client, village_doctor):
    today = services.today()
    born = today - datetime.timedelta(days=5)
    baby = factories.make_person("李宝宝", birth=born, sex="2")
    record = services.do_open_record(village_doctor, baby.pk)
    response = doctor_client.post(
        f"/records/{record.pk}/programmes/new/",
        {
            "kind": "child",
            "registered_on": today.isoformat(),
            "discharge_date": (born - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "出院日期不能早于出生日期" in response.content.decode()
    assert not Programme.objects.filter(record=record).exists()


def test_a_tb_registration_puts_the_first_home_visit_on_the_due_list(
    doctor_client, resident_record
):
    today = services.today()
    response = doctor_client.post(
        f"/records/{resident_record.pk}/programmes/new/",
        {"kind": "tb", "registered_on": today.isoformat()},
    )
    assert response.status_code == 302
    row = DueService.objects.get(record=resident_record, service="tb_first_visit")
    assert (row.due_on, row.overdue_on) == (today, today + datetime.timedelta(days=4))
    page = doctor_client.get("/records/due/?within=30").content.decode()
    assert "肺结核患者第一次入户随访记录表" in page or "肺结核" in page
