"""Only an approver whose jurisdiction covers the person, and who did not ask, decides."""

import datetime

import pytest
from django.utils import timezone

from huimin.accounts import loans
from huimin.accounts.models import RecordLoan
from huimin.audit.models import AuditEvent
from huimin.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests import factories


@pytest.fixture
def loan(township_clerk, county):
    number = factories.valid_id()
    factories.make_person("赵六", village=factories.VILLAGES[2], id_number=number)
    return loans.do_request_loan(township_clerk, number, "转诊随访核对", 3)


@pytest.fixture
def approver(county):
    return factories.make_staff("clerk_b", "township_clerk", factories.TOWNSHIPS[1])


def unchanged(loan):
    loan_now = RecordLoan.objects.get(pk=loan.pk)
    return loan_now.status == "requested" and loan_now.approver_id is None


def test_the_approver_sees_the_request_in_their_queue_and_approves(verified_client, approver, loan):
    verified_client.force_login(approver)
    queue = verified_client.get("/accounts/loans/queue/")
    assert [x.pk for x in queue.context["loans"]] == [loan.pk]
    assert "赵六" in queue.content.decode()
    response = verified_client.post(
        f"/accounts/loans/{loan.pk}/decide/", {"decision": "approve", "note": "同意", "days": 2}
    )
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.status == "approved" and loan.approver == approver
    assert loan.valid_until - loan.valid_from == datetime.timedelta(days=2)
    assert AuditEvent.objects.filter(action="loan_approve", loan_id=loan.pk).exists()


def test_self_approval_is_refused(township_clerk, loan):
    # The requester's own township does not cover the person; give them the county.
    township_clerk.staff.jurisdiction = factories.COUNTY
    township_clerk.staff.save()
    with pytest.raises(PermissionDenied) as refused:
        loans.do_decide_loan(township_clerk, loan.pk, approve=True, note="")
    assert refused.value.code == "self_approval"
    assert unchanged(loan)
    assert AuditEvent.objects.filter(action="loan_approve", outcome="denied").exists()
    # Nor does the request appear in the requester's own queue.
    assert list(loans.approver_queue(township_clerk)) == []


def test_approval_from_another_jurisdiction_is_refused(verified_client, loan, county):
    elsewhere = factories.make_staff("clerk_x", "township_clerk", factories.TOWNSHIPS[0])
    assert list(loans.approver_queue(elsewhere)) == []
    verified_client.force_login(elsewhere)
    response = verified_client.post(
        f"/accounts/loans/{loan.pk}/decide/", {"decision": "approve", "note": "同意"}, follow=True
    )
    assert "不在您的辖区内" in response.content.decode()
    assert unchanged(loan)


def test_a_role_without_loan_approve_cannot_decide(loan, county):
    doctor = factories.make_staff(
        "doc_b", "doctor", factories.TOWNSHIPS[1], institution=factories.make_institution()
    )
    with pytest.raises(PermissionDenied):
        loans.do_decide_loan(doctor, loan.pk, approve=True)
    assert unchanged(loan)


def test_rejection_needs_a_note(approver, loan):
    with pytest.raises(ValidationFailed):
        loans.do_decide_loan(approver, loan.pk, approve=False, note=" ")
    assert unchanged(loan)
    loans.do_decide_loan(approver, loan.pk, approve=False, note="事由不充分")
    assert RecordLoan.objects.get(pk=loan.pk).status == "rejected"


def test_a_decided_request_cannot_be_decided_again(approver, loan):
    loans.do_decide_loan(approver, loan.pk, approve=False, note="事由不充分")
    with pytest.raises(Conflict):
        loans.do_decide_loan(approver, loan.pk, approve=True)
    assert RecordLoan.objects.get(pk=loan.pk).status == "rejected"


def test_the_approved_period_is_capped(approver, loan):
    with pytest.raises(ValidationFailed):
        loans.do_decide_loan(approver, loan.pk, approve=True, days=30)
    assert unchanged(loan)


def test_a_request_for_no_one_waits_in_no_queue_and_expires(township_clerk, approver, county):
    ghost = loans.do_request_loan(township_clerk, factories.valid_id(), "转诊随访核对", 3)
    assert ghost.person is None
    assert list(loans.approver_queue(approver)) == []
    with pytest.raises(PermissionDenied):
        loans.do_decide_loan(approver, ghost.pk, approve=True)
    later = timezone.now() + datetime.timedelta(days=8)
    assert loans.do_expire_loans(later) == 1
    assert RecordLoan.objects.get(pk=ghost.pk).status == "expired"


def test_a_stranger_cannot_end_someone_elses_loan(approver, loan, county):
    loans.do_decide_loan(approver, loan.pk, approve=True)
    stranger = factories.make_staff("clerk_y", "township_clerk", factories.TOWNSHIPS[1])
    from huimin.core.errors import NotFound

    with pytest.raises(NotFound):
        loans.do_end_loan(stranger, loan.pk)
    assert RecordLoan.objects.get(pk=loan.pk).status == "approved"
