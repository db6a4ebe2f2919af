"""Asking for a loan: by full ID number, with a reason, revealing nothing until approved."""

import pytest

from huimin.accounts import loans
from huimin.accounts.models import RecordLoan
from huimin.audit.models import AuditEvent
from tests import factories


@pytest.fixture
def clerk_client(verified_client, township_clerk):
    verified_client.force_login(township_clerk)
    return verified_client


@pytest.fixture
def outsider_number(county):
    number = factories.valid_id()
    factories.make_person("赵六", village=factories.VILLAGES[2], id_number=number)
    return number


def ask(client, number, reason="转诊随访核对", days=3):
    return client.post(
        "/accounts/loans/new/", {"id_number": number, "reason": reason, "days": days}, follow=True
    )


def test_a_request_says_only_submitted(clerk_client, outsider_number):
    response = ask(clerk_client, outsider_number)
    body = response.content.decode()
    assert "已提交" in body
    assert "赵六" not in body
    loan = RecordLoan.objects.get()
    assert loan.status == "requested" and loan.person.name == "赵六"
    assert loan.id_number_masked.endswith(outsider_number[-4:])
    assert AuditEvent.objects.filter(action="loan_request", object_id=str(loan.pk)).exists()


def test_a_number_matching_no_one_reads_exactly_the_same(clerk_client, outsider_number):
    known = ask(clerk_client, outsider_number)
    unknown = ask(clerk_client, factories.valid_id())
    assert known.status_code == unknown.status_code == 200
    for response in (known, unknown):
        assert [str(m) for m in response.context["messages"]] == ["已提交"]
    assert RecordLoan.objects.filter(person__isnull=True).count() == 1


@pytest.mark.parametrize(
    "number, reason, days, message",
    [
        ("430522198005170011", "转诊随访核对", 3, "身份证号码"),  # wrong check character
        (None, "", 3, "必填"),
        (None, "   ", 3, "必填"),
        (None, "转诊随访核对", 8, "借阅期限应为1至7天"),
        (None, "转诊随访核对", 0, "借阅天数"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_stored(
    clerk_client, outsider_number, number, reason, days, message
):
    response = ask(clerk_client, number or outsider_number, reason=reason, days=days)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RecordLoan.objects.exists()


def test_missing_reason_is_refused_by_the_service(township_clerk, outsider_number):
    from huimin.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        loans.do_request_loan(township_clerk, outsider_number, "", 3)
    assert "reason" in refused.value.fields
    assert not RecordLoan.objects.exists()


def test_roles_without_person_read_cannot_ask(verified_client, sysadmin, outsider_number):
    verified_client.force_login(sysadmin)
    assert verified_client.get("/accounts/loans/new/").status_code == 403
    assert ask(verified_client, outsider_number).status_code == 403
    assert not RecordLoan.objects.exists()


def test_the_loan_period_limit_comes_from_the_environment(
    clerk_client, outsider_number, monkeypatch
):
    monkeypatch.setenv("HUIMIN_LOAN_MAX_DAYS", "2")
    assert "借阅期限应为1至2天" in ask(clerk_client, outsider_number, days=3).content.decode()
    ask(clerk_client, outsider_number, days=2)
    assert RecordLoan.objects.get().days == 2
