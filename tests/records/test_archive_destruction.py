"""销毁: only eligible closed records, two approvals by two people other than the
requester, and the destruction register keeps every request, carried out or refused."""

import datetime

import pytest
from django.db import transaction

from huimin.audit.models import AuditEvent
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.records import archive, services
from huimin.records.models import (
    Destruction,
    DestructionStatus,
    DueService,
    Finding,
    Form,
    FormStatus,
    HealthRecord,
    Programme,
    RecordStatus,
)
from tests import factories


@pytest.fixture
def approvers(county):
    return [
        factories.make_staff(f"shenpi{n}", "public_health_officer", factories.TOWNSHIPS[0])
        for n in (1, 2)
    ]


@pytest.fixture
def old_closed_record(county, village_doctor, public_health_officer):
    """A file opened in 2008 and closed on 2010-06-01 (retention ran out on
    2025-06-01), with a draft, a signed form and its amendment, a programme, a due
    service and a finding."""
    person = factories.make_person("王大爷", birth=datetime.date(1930, 3, 1))
    record = services.do_open_record(village_doctor, person.pk, opened_on=datetime.date(2008, 3, 1))
    services.do_save_form(village_doctor, "htn_followup", {"systolic": "150"}, record_id=record.pk)
    common = {"record": record, "person": person, "region_code": record.region_code}
    signed = Form.objects.create(
        **common,
        kind="htn_followup",
        status=FormStatus.AMENDED,
        data={"systolic": 150},
        created_by=village_doctor,
    )
    Form.objects.create(
        **common,
        kind="htn_followup",
        status=FormStatus.SIGNED,
        amends=signed,
        amend_reason="血压录错",
        data={"systolic": 145},
        created_by=village_doctor,
    )
    Programme.objects.create(**common, kind="hypertension", registered_on=datetime.date(2008, 3, 1))
    Finding.objects.create(
        record=record, region_code=record.region_code, rule="r", severity="warning", message="m"
    )
    archive.do_close_record(
        public_health_officer, record.pk, "emigration", datetime.date(2010, 6, 1)
    )
    DueService.objects.create(
        **common,
        service="health_check",
        occasion="archive-test",
        label="健康体检",
        due_on=datetime.date(2010, 6, 1),
        overdue_on=datetime.date(2010, 9, 1),
    )
    return record


def test_a_record_within_retention_cannot_be_requested(resident_record, public_health_officer):
    with pytest.raises(Conflict) as err:  # still active
        archive.do_request_destruction(public_health_officer, resident_record.pk, "保管期满")
    assert err.value.code == "record_not_closed"
    archive.do_close_record(
        public_health_officer, resident_record.pk, "emigration", datetime.date(2026, 1, 10)
    )
    with pytest.raises(Conflict) as err:
        archive.do_request_destruction(public_health_officer, resident_record.pk, "保管期满")
    assert err.value.code == "within_retention"
    assert "2041-01-10" in err.value.message
    assert not Destruction.objects.exists()


def test_a_request_needs_its_basis(old_closed_record, public_health_officer):
    with pytest.raises(ValidationFailed) as err:
        archive.do_request_destruction(public_health_officer, old_closed_record.pk, "  ")
    assert "basis" in err.value.fields


def test_four_eyes_twice_then_the_content_is_erased_and_the_register_kept(
    old_closed_record, public_health_officer, approvers
):
    record = old_closed_record
    first, second = approvers
    entry = archive.do_request_destruction(
        public_health_officer, record.pk, "迁出县外满15年，经鉴定无保存价值"
    )
    assert (entry.record_number, entry.person_name_masked, entry.form_count) == (
        record.number,
        "王**",
        3,
    )
    with pytest.raises(Conflict) as err:  # one request at a time
        archive.do_request_destruction(public_health_officer, record.pk, "重复申请")
    assert err.value.code == "destruction_pending"

    with pytest.raises(PermissionDenied) as err:
        archive.do_approve_destruction(public_health_officer, entry.pk)
    assert err.value.code == "self_approval"

    archive.do_approve_destruction(first, entry.pk, "同意")
    # The same person approving twice is refused, and nothing is erased.
    with pytest.raises(PermissionDenied) as err:
        archive.do_approve_destruction(first, entry.pk)
    assert err.value.code == "same_approver"
    entry.refresh_from_db()
    assert entry.status == DestructionStatus.FIRST_APPROVED
    assert Form.objects.filter(record=record).count() == 3
    assert AuditEvent.objects.filter(
        object_type="records.destruction", outcome="denied", reason="same_approver"
    ).exists()

    archive.do_approve_destruction(second, entry.pk, "复核同意")
    entry.refresh_from_db()
    assert entry.status == DestructionStatus.DESTROYED
    assert (entry.requested_by, entry.first_approver, entry.second_approver) == (
        public_health_officer,
        first,
        second,
    )
    assert entry.form_count == 3 and entry.destroyed_at is not None
    assert HealthRecord.objects.get(pk=record.pk).status == RecordStatus.DESTROYED
    for model in (Form, Programme, DueService, Finding):
        assert not model.objects.filter(record=record).exists(), model
    assert AuditEvent.objects.filter(
        action="delete", object_type="records.record", object_id=str(record.pk)
    ).exists()

    # The register keeps the entry, for each role that may see it.
    for user in (public_health_officer, first, second):
        assert list(archive.register(user)) == [entry]
    with pytest.raises(Conflict):  # done is done
        archive.do_approve_destruction(
            factories.make_staff("shenpi3", "public_health_officer", factories.TOWNSHIPS[0]),
            entry.pk,
        )


def test_a_refused_request_stays_in_the_register(
    old_closed_record, public_health_officer, approvers
):
    entry = archive.do_request_destruction(public_health_officer, old_closed_record.pk, "期满")
    with pytest.raises(ValidationFailed):
        archive.do_refuse_destruction(approvers[0], entry.pk, "")
    with pytest.raises(PermissionDenied):
        archive.do_refuse_destruction(public_health_officer, entry.pk, "撤回")
    archive.do_refuse_destruction(approvers[0], entry.pk, "涉及未结医保争议，暂缓销毁")
    entry.refresh_from_db()
    assert entry.status == DestructionStatus.REFUSED
    assert entry.note == "涉及未结医保争议，暂缓销毁"
    assert Form.objects.filter(record=old_closed_record).count() == 3
    # A new request may follow; both stay in the register.
    again = archive.do_request_destruction(public_health_officer, old_closed_record.pk, "期满")
    assert set(archive.register(public_health_officer)) == {entry, again}


def test_approvers_outside_the_area_and_doctors_cannot_approve(
    old_closed_record, public_health_officer, village_doctor
):
    entry = archive.do_request_destruction(public_health_officer, old_closed_record.pk, "期满")
    outsider = factories.make_staff("gongwei9", "public_health_officer", factories.TOWNSHIPS[1])
    with pytest.raises(NotFound):
        archive.do_approve_destruction(outsider, entry.pk)
    assert not archive.register(outsider).exists()
    with pytest.raises(PermissionDenied):
        archive.do_approve_destruction(village_doctor, entry.pk)
    with pytest.raises(PermissionDenied):
        archive.register(village_doctor)


def test_appraisal_splits_eligible_from_kept_records(
    old_closed_record, resident_record, public_health_officer
):
    archive.do_close_record(
        public_health_officer, resident_record.pk, "other", datetime.date(2026, 1, 10)
    )
    eligible, kept, years = archive.appraisal(public_health_officer, on=datetime.date(2026, 11, 24))
    assert years == 15
    assert list(eligible) == [old_closed_record]
    assert list(kept) == [HealthRecord.objects.get(pk=resident_record.pk)]
    assert archive.eligible_on(kept[0]) == datetime.date(2041, 1, 10)


def test_no_other_path_deletes_a_form(resident_record, village_doctor):
    form, _ = services.do_save_form(
        village_doctor, "htn_followup", {"systolic": "150"}, record_id=resident_record.pk
    )
    # Each attempt in its own savepoint: the refusal fails the deleting transaction.
    with pytest.raises(Conflict) as err, transaction.atomic():
        form.delete()
    assert err.value.code == "form_delete_refused"
    with pytest.raises(Conflict), transaction.atomic():
        Form.objects.filter(record=resident_record).delete()
    assert Form.objects.filter(pk=form.pk).exists()
