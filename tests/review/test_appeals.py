"""Institutions' appeals: within the deadline, decided by a reviewer who took no part in
the finding; granted before the clearing reverses the recovery, after it pays it back at
the next clearing. Amounts hand worked from the March stay (funds paid 30238.19)."""

# ruff: noqa: F811 (pytest fixtures imported from workflow_support are parameters here)

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from huimin.core.errors import Conflict, PermissionDenied, ValidationFailed
from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.ledger.services import balances, trial_balance
from huimin.insurance.services import clearing
from huimin.review import workflow, workflow_rules
from huimin.review.models import Appeal, Decision, Finding, Recovery
from huimin.review.workflow import DecisionIn
from tests.review.workflow_support import (  # noqa: F401 (fixtures)
    finding,
    hospital_cashier,
    insured,
    make_finding,
    stay,
    third_officer,
)

D = Decimal


def ledger(county):
    return {r["code"]: r["balance"] for r in balances(county.plan.region_code, 2026)}


def clear(county, month="2026-03"):
    batch = clearing.do_create_clearing(county.officer, county.hospital.pk, month)
    clearing.do_approve_clearing(county.officer, batch.pk)
    return clearing.do_confirm_clearing(county.second_officer, batch.pk)


@pytest.fixture
def confirmed(insured, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "800.00", "属实"))
    return finding


def backdate_confirmation(finding, days):
    Decision.objects.filter(finding=finding).update(
        decided_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_the_deadline_is_fifteen_days_after_the_confirmation():
    day = datetime.date(2026, 4, 1)
    assert workflow_rules.appeal_deadline(day, 15) == datetime.date(2026, 4, 16)
    workflow_rules.check_appeal_in_time(datetime.date(2026, 4, 16), datetime.date(2026, 4, 16))
    with pytest.raises(workflow_rules.DecisionRefused):
        workflow_rules.check_appeal_in_time(datetime.date(2026, 4, 17), datetime.date(2026, 4, 16))


def test_the_hospital_appeals_within_the_deadline(insured, confirmed, hospital_cashier):
    backdate_confirmation(confirmed, 15)  # the last day
    appeal = workflow.do_file_appeal(hospital_cashier, confirmed.pk, "患者病情变化，需再次入院")
    confirmed.refresh_from_db()
    assert confirmed.status == "appealed"
    assert appeal.deadline == timezone.localdate() and appeal.institution == insured.hospital


def test_appealing_after_the_deadline_is_refused(insured, confirmed, hospital_cashier):
    backdate_confirmation(confirmed, 16)
    with pytest.raises(ValidationFailed) as exc:
        workflow.do_file_appeal(hospital_cashier, confirmed.pk, "理由")
    assert exc.value.code == "appeal_deadline_passed"
    assert "申诉期限已过" in exc.value.fields["finding_id"]
    confirmed.refresh_from_db()
    assert confirmed.status == "confirmed" and not Appeal.objects.exists()


def test_only_confirmed_findings_of_ones_own_institution_are_appealed(
    insured, stay, hospital_cashier
):
    open_one = make_finding(stay)
    with pytest.raises(Conflict):
        workflow.do_file_appeal(hospital_cashier, open_one.pk, "理由")
    from huimin.core.errors import NotFound
    from tests import factories

    centre_cashier = factories.make_staff(
        "cashier_c", "cashier", factories.COUNTY, institution=insured.centre
    )
    workflow.do_decide(insured.officer, open_one.pk, DecisionIn("confirm", "10.00"))
    with pytest.raises(NotFound):
        workflow.do_file_appeal(centre_cashier, open_one.pk, "理由")
    with pytest.raises(ValidationFailed):
        workflow.do_file_appeal(hospital_cashier, open_one.pk, " ")
    assert not Appeal.objects.exists()


def test_an_appeal_goes_to_a_reviewer_who_did_not_decide_it(
    insured, confirmed, hospital_cashier, third_officer
):
    appeal = workflow.do_file_appeal(hospital_cashier, confirmed.pk, "理由")
    with pytest.raises(PermissionDenied) as exc:
        workflow.do_decide_appeal(insured.officer, appeal.pk, True, "同意")
    assert exc.value.code == "not_independent"
    appeal.refresh_from_db()
    assert appeal.status == "open"
    workflow.do_decide_appeal(third_officer, appeal.pk, False, "证据不足，维持")
    appeal.refresh_from_db()
    confirmed.refresh_from_db()
    assert (appeal.status, confirmed.status) == ("upheld", "confirmed")
    assert Recovery.objects.get().cancelled_at is None
    with pytest.raises(Conflict):
        workflow.do_decide_appeal(third_officer, appeal.pk, True, "again")


def test_a_cashier_cannot_decide_an_appeal(insured, confirmed, hospital_cashier):
    appeal = workflow.do_file_appeal(hospital_cashier, confirmed.pk, "理由")
    with pytest.raises(PermissionDenied):
        workflow.do_decide_appeal(hospital_cashier, appeal.pk, True, "同意")


def test_granted_before_the_clearing_reverses_the_recovery(
    insured, confirmed, hospital_cashier, third_officer
):
    appeal = workflow.do_file_appeal(hospital_cashier, confirmed.pk, "理由")
    workflow.do_decide_appeal(third_officer, appeal.pk, True, "病历证实为新发病")
    confirmed.refresh_from_db()
    assert confirmed.status == "dismissed"
    rows = ledger(insured)
    assert (rows["1204"], rows["5101"]) == (D("0.00"), D("25959.17"))
    assert JournalEntry.objects.filter(source_type="review.recovery").count() == 2
    batch = clear(insured)
    assert batch.amount_paid == D("30238.19")  # nothing deducted


def test_granted_after_the_clearing_is_paid_back_at_the_next_one(
    insured, stay, confirmed, hospital_cashier, third_officer
):
    march = clear(insured)
    assert march.amount_paid == D("29438.19")  # 30238.19 - 800.00
    appeal = workflow.do_file_appeal(hospital_cashier, confirmed.pk, "理由")
    workflow.do_decide_appeal(third_officer, appeal.pk, True, "病历证实为新发病")
    assert ledger(insured)["1204"] == D("-800.00")  # the fund owes it back
    april = clear(insured, "2026-04")
    assert (april.amount_payable, april.amount_paid) == (D("0.00"), D("800.00"))
    rows = ledger(insured)
    assert (rows["1204"], rows["2101"], rows["5101"]) == (D("0.00"), D("0.00"), D("25959.17"))
    assert Recovery.objects.get().refund_batch_id == april.pk
    assert trial_balance(insured.plan.region_code, 2026)["balanced"]
    may = clear(insured, "2026-05")
    assert may.amount_paid == D("0.00")  # paid back once
    assert Finding.objects.get(pk=confirmed.pk).status == "dismissed"


def test_an_upload_of_the_wrong_type_is_refused_and_nothing_is_stored(
    insured, confirmed, hospital_cashier
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from huimin.core.errors import DomainError

    bad = SimpleUploadedFile("证明.exe", b"MZ\x90\x00", content_type="application/x-msdownload")
    with pytest.raises(DomainError) as exc:
        workflow.do_file_appeal(hospital_cashier, confirmed.pk, "理由", [bad])
    assert exc.value.status == 422 and exc.value.code == "document_type"
    confirmed.refresh_from_db()
    assert confirmed.status == "confirmed" and not Appeal.objects.exists()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_appeals_evidence_is_stored_and_read_by_the_reviewer_with_an_audit(
    client, insured, confirmed, hospital_cashier, third_officer, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from huimin.audit.models import AuditEventPerson

    settings.HUIMIN_DOCUMENT_ROOT = tmp_path
    evidence = SimpleUploadedFile("出院记录.pdf", PDF, content_type="application/pdf")
    appeal = workflow.do_file_appeal(hospital_cashier, confirmed.pk, "已提供出院记录", [evidence])
    [doc] = workflow.appeal_documents(appeal)
    assert doc.content_type == "application/pdf" and doc.size == len(PDF)

    client.force_login(third_officer)
    page = client.get(f"/review/findings/{confirmed.pk}/").content.decode()
    url = f"/review/appeals/{appeal.pk}/documents/{doc.pk}/"
    assert url in page and "出院记录.pdf" in page
    before = AuditEventPerson.objects.filter(person_id=confirmed.person_id).count()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEventPerson.objects.filter(person_id=confirmed.person_id).count() == before + 1
    # A document of another appeal cannot be fetched through this one.
    assert client.get(f"/review/appeals/{appeal.pk}/documents/{doc.pk + 1000}/").status_code == 404


def test_an_upload_over_the_size_limit_is_refused_and_nothing_is_stored(
    insured, confirmed, hospital_cashier, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from huimin.core.models import StoredDocument

    settings.HUIMIN_DOCUMENT_ROOT = tmp_path
    settings.HUIMIN_DOCUMENT_MAX_BYTES = 100
    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * 200, content_type="application/pdf")
    with pytest.raises(ValidationFailed) as exc:
        workflow.do_file_appeal(hospital_cashier, confirmed.pk, "理由", [big])
    assert exc.value.code == "document_too_large"
    confirmed.refresh_from_db()
    assert confirmed.status == "confirmed" and not Appeal.objects.exists()
    assert not StoredDocument.objects.exists() and not any(tmp_path.rglob("*"))
