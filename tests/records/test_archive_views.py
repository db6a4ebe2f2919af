"""The archive pages through the browser's requests: the record page's actions, the
transfer trace, appraisal and the destruction register with its two approvals."""

import datetime

import pytest

from huimin.records import archive, services
from huimin.records.models import DestructionStatus, Form, HealthRecord, RecordStatus
from tests import factories


@pytest.fixture
def officer_client(client, public_health_officer):
    client.force_login(public_health_officer)
    return client


def test_the_record_page_transfers_and_leaves_only_the_trace(
    officer_client, resident_record, village_doctor
):
    services.do_save_form(
        village_doctor, "htn_followup", {"systolic": "150"}, record_id=resident_record.pk
    )
    page = officer_client.get(f"/records/archive/records/{resident_record.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert resident_record.number in text and "王**" in text and "王大爷" not in text

    moved = officer_client.post(
        f"/records/archive/records/{resident_record.pk}/transfer/",
        {"to_region_code": factories.VILLAGES[2], "reason": "搬迁到严塘"},
    )
    assert moved.status_code == 302
    trace = officer_client.get(moved.url)
    assert trace.status_code == 200
    body = trace.content.decode()
    assert resident_record.number in body and "严塘村" in body and "王**" in body
    assert "150" not in body  # no form content in the trace
    assert HealthRecord.objects.get(pk=resident_record.pk).region_code == factories.VILLAGES[2]
    # The record page itself is gone from this area.
    assert officer_client.get(f"/records/archive/records/{resident_record.pk}/").status_code == 404
    listing = officer_client.get("/records/archive/transfers/").content.decode()
    assert resident_record.number in listing


def test_a_bad_destination_is_said_and_nothing_moves(officer_client, resident_record):
    answer = officer_client.post(
        f"/records/archive/records/{resident_record.pk}/transfer/",
        {"to_region_code": "999999999999", "reason": "搬迁"},
        follow=True,
    )
    assert "迁入地须为已登记的村（居）区划代码" in answer.content.decode()
    assert HealthRecord.objects.get(pk=resident_record.pk).region_code == factories.VILLAGES[0]


def test_closing_from_the_page_and_the_death_notice(officer_client, resident_record):
    person = resident_record.person
    person.death_date = datetime.date(2026, 3, 1)
    person.save()
    page = officer_client.get(f"/records/archive/records/{resident_record.pk}/")
    assert "居民登记中已登记死亡" in page.content.decode()
    officer_client.post(
        f"/records/archive/records/{resident_record.pk}/close/",
        {"reason": "death", "closed_on": "2026-03-01"},
    )
    record = HealthRecord.objects.get(pk=resident_record.pk)
    assert record.status == RecordStatus.CLOSED and record.closed_on == datetime.date(2026, 3, 1)


def test_doctors_have_no_archive_pages(client, village_doctor, resident_record):
    client.force_login(village_doctor)
    assert client.get("/records/archive/").status_code == 403
    assert client.get(f"/records/archive/records/{resident_record.pk}/").status_code == 403
    assert (
        client.post(
            f"/records/archive/records/{resident_record.pk}/close/", {"reason": "other"}
        ).status_code
        == 403
    )


def test_appraisal_and_the_register_through_two_approvers(
    client, county, village_doctor, public_health_officer
):
    person = factories.make_person("欧阳修", birth=datetime.date(1930, 1, 1))
    record = services.do_open_record(village_doctor, person.pk, opened_on=datetime.date(2008, 1, 2))
    services.do_save_form(village_doctor, "htn_followup", {"systolic": "150"}, record_id=record.pk)
    archive.do_close_record(public_health_officer, record.pk, "other", datetime.date(2010, 6, 1))

    client.force_login(public_health_officer)
    appraisal = client.get("/records/archive/appraisal/").content.decode()
    assert record.number in appraisal and "2025-06-01" in appraisal
    client.post(f"/records/archive/records/{record.pk}/destruction/", {"basis": "保管期满"})
    entry = record.destructions.get()

    first, second = (
        factories.make_staff(f"shenpi{n}", "public_health_officer", factories.TOWNSHIPS[0])
        for n in (1, 2)
    )
    for approver in (first, first, second):
        client.force_login(approver)
        client.post(
            f"/records/archive/destructions/{entry.pk}/decide/",
            {"decision": "approve", "note": "同意"},
        )
        entry.refresh_from_db()
        if approver is first:
            assert entry.status == DestructionStatus.FIRST_APPROVED
    assert entry.status == DestructionStatus.DESTROYED
    assert not Form.objects.filter(record=record).exists()
    register = client.get("/records/archive/destructions/").content.decode()
    assert record.number in register and "欧**" in register and "已销毁" in register
