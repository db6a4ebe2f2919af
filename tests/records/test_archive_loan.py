"""Reading a record outside one's area: only under an approved record loan (借阅), only
while it runs, and only to read."""

import datetime

import pytest

from huimin.accounts import loans
from huimin.accounts.models import RecordLoan
from huimin.audit.models import AuditEvent
from huimin.core import crypto
from huimin.core.errors import NotFound, PermissionDenied
from huimin.records import services
from huimin.records.models import DueService, Form, Programme
from tests import factories


@pytest.fixture
def township_doctor(county):
    """A doctor at the other township's health centre."""
    centre = factories.make_institution(
        "严塘镇卫生院", factories.TOWNSHIPS[1], "township_health_centre", "1"
    )
    return factories.make_staff("xiangdoc", "doctor", factories.TOWNSHIPS[1], centre)


@pytest.fixture
def lent_record(hypertensive, village_doctor):
    services.do_save_form(
        village_doctor, "htn_followup", {"systolic": "150"}, record_id=hypertensive.pk
    )
    return hypertensive


def ask(doctor, record):
    number = crypto.decrypt(record.person.id_number_enc, context="person.id_number")
    return loans.do_request_loan(doctor, number, "转诊会诊需查阅随访记录", 3)


def sees(doctor, record) -> bool:
    loans.forget_loans(doctor)
    try:
        services.read_record(doctor, record.pk, purpose="会诊")
    except NotFound:
        return False
    return True


def test_a_township_doctor_reads_another_townships_record_only_during_a_loan(
    lent_record, township_doctor, public_health_officer
):
    assert not sees(township_doctor, lent_record)
    loan = ask(township_doctor, lent_record)
    assert not sees(township_doctor, lent_record)  # requested is not approved

    loans.do_decide_loan(public_health_officer, loan.pk, approve=True, note="同意")
    assert sees(township_doctor, lent_record)
    person = lent_record.person
    assert Form.objects.visible_to(township_doctor).filter(person=person).count() == 1
    assert Programme.objects.visible_to(township_doctor).filter(person=person).count() == 1
    assert AuditEvent.objects.filter(
        action="read",
        object_type="records.record",
        object_id=str(lent_record.pk),
        actor_id=township_doctor.pk,
        outcome="success",
    ).exists()

    # A loan lends the record to read, not to write.
    with pytest.raises(PermissionDenied) as err:
        services.do_save_form(
            township_doctor, "htn_followup", {"systolic": "140"}, record_id=lent_record.pk
        )
    assert err.value.code == "out_of_jurisdiction"

    loans.do_end_loan(township_doctor, loan.pk, note="已会诊")
    assert not sees(township_doctor, lent_record)
    assert not DueService.objects.visible_to(township_doctor).exists()


def test_an_expired_loan_no_longer_opens_the_record(
    lent_record, township_doctor, public_health_officer
):
    loan = ask(township_doctor, lent_record)
    loans.do_decide_loan(public_health_officer, loan.pk, approve=True, note="同意")
    assert sees(township_doctor, lent_record)
    past = loans.now() - datetime.timedelta(minutes=1)
    RecordLoan.objects.filter(pk=loan.pk).update(
        valid_from=past - datetime.timedelta(days=3), valid_until=past
    )
    assert not sees(township_doctor, lent_record)
    assert AuditEvent.objects.filter(
        action="read",
        object_id=str(lent_record.pk),
        outcome="denied",
        reason="out_of_jurisdiction",
    ).exists()
