"""A record whose responsible doctor is unset (opened by township staff, or the doctor
moved away on transfer) still shows on the archive pages: 责任医生 reads 未指定."""

import pytest

from huimin.records import services
from huimin.records.models import Form, HealthRecord
from tests.records.test_api_records import GOOD


@pytest.fixture
def officer_client(client, public_health_officer):
    client.force_login(public_health_officer)
    return client


def test_the_archive_record_page_says_unassigned(officer_client, resident_record):
    HealthRecord.objects.filter(pk=resident_record.pk).update(responsible_doctor=None)
    page = officer_client.get(f"/records/archive/records/{resident_record.pk}/")
    assert page.status_code == 200
    assert "<dt>责任医生</dt><dd>未指定</dd>" in page.content.decode()


def test_the_archive_record_page_names_an_assigned_doctor(officer_client, resident_record):
    page = officer_client.get(f"/records/archive/records/{resident_record.pk}/")
    assert "<dt>责任医生</dt><dd>李医生</dd>" in page.content.decode()


def test_the_record_page_says_unassigned(client, village_doctor, resident_record):
    HealthRecord.objects.filter(pk=resident_record.pk).update(responsible_doctor=None)
    client.force_login(village_doctor)
    page = client.get(f"/records/{resident_record.pk}/")
    assert page.status_code == 200
    assert "责任医生：未指定" in page.content.decode()


def test_a_signed_form_without_a_signer_account_shows(client, village_doctor, hypertensive):
    # signed_by is nullable (generated rows, accounts kept only by name): the form page
    # names the doctor written on the form instead of failing.
    form, _ = services.do_save_form(
        village_doctor, "htn_followup", GOOD, record_id=hypertensive.pk, sign=True
    )
    Form.objects.filter(pk=form.pk).update(signed_by=None, doctor_name="赵医生")
    client.force_login(village_doctor)
    page = client.get(f"/records/forms/{form.pk}/")
    assert page.status_code == 200
    assert "签名：赵医生，" in page.content.decode()
