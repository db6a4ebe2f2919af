"""A clerk sees a person outside their township only under an approved loan in force."""

import datetime

import pytest
from django.utils import timezone

from huimin.accounts import loans
from huimin.accounts.models import RecordLoan
from huimin.registry.models import Household, Person
from tests import factories


@pytest.fixture
def outsider(county):
    """A resident of the other township (outside the clerk's), with a household."""
    person = factories.make_person("赵六", village=factories.VILLAGES[2])
    factories.make_household(person)
    return person


@pytest.fixture
def other_township_clerk(county):
    return factories.make_staff("clerk_b", "township_clerk", factories.TOWNSHIPS[1])


def person_numbers(outsider):
    from huimin.core import crypto

    return crypto.decrypt(outsider.id_number_enc, context="person.id_number")


def approve(requester, approver, person, days=3):
    loan = loans.do_request_loan(requester, person_numbers(person), "转诊随访核对", days)
    return loans.do_decide_loan(approver, loan.pk, approve=True, note="同意")


def can_see(client, person) -> tuple[bool, bool]:
    listing = client.get("/registry/people/", {"q": person.name})
    in_list = person.pk in [p.pk for p in listing.context["page"].rows]
    detail = client.get(f"/registry/people/{person.pk}/").status_code == 200
    return in_list, detail


@pytest.fixture
def clerk_client(verified_client, township_clerk):
    verified_client.force_login(township_clerk)
    return verified_client


def test_a_clerk_cannot_see_a_person_outside_their_township(clerk_client, outsider):
    assert can_see(clerk_client, outsider) == (False, False)


def test_after_approval_list_and_detail_show_the_person(
    clerk_client, township_clerk, other_township_clerk, outsider
):
    approve(township_clerk, other_township_clerk, outsider)
    assert can_see(clerk_client, outsider) == (True, True)
    household = Household.objects.get(head=outsider)
    assert clerk_client.get(f"/registry/households/{household.pk}/").status_code == 200
    # Only that person: a neighbour in the same village stays out of reach.
    neighbour = factories.make_person("钱七", village=factories.VILLAGES[2])
    assert can_see(clerk_client, neighbour) == (False, False)


def test_after_the_loan_ends_the_person_is_out_of_reach_again(
    clerk_client, township_clerk, other_township_clerk, outsider
):
    loan = approve(township_clerk, other_township_clerk, outsider)
    loans.do_end_loan(township_clerk, loan.pk, note="已核对完毕")
    assert can_see(clerk_client, outsider) == (False, False)


def test_the_approver_may_end_it_early_too(
    clerk_client, township_clerk, other_township_clerk, outsider
):
    loan = approve(township_clerk, other_township_clerk, outsider)
    loans.do_end_loan(other_township_clerk, loan.pk)
    assert can_see(clerk_client, outsider) == (False, False)


def test_after_expiry_the_person_is_out_of_reach_even_before_the_command(
    clerk_client, township_clerk, other_township_clerk, outsider
):
    loan = approve(township_clerk, other_township_clerk, outsider)
    past = timezone.now() - datetime.timedelta(days=3)
    RecordLoan.objects.filter(pk=loan.pk).update(
        valid_from=past, valid_until=past + datetime.timedelta(days=3, seconds=-1)
    )
    assert can_see(clerk_client, outsider) == (False, False)
    assert loans.do_expire_loans() == 1
    assert RecordLoan.objects.get(pk=loan.pk).status == "expired"


def test_the_scope_is_the_requesters_alone(township_clerk, other_township_clerk, outsider, county):
    approve(township_clerk, other_township_clerk, outsider)
    colleague = factories.make_staff("clerk_c", "township_clerk", factories.TOWNSHIPS[0])
    assert not Person.objects.visible_to(colleague).filter(pk=outsider.pk).exists()
    assert Person.objects.visible_to(township_clerk).filter(pk=outsider.pk).exists()


def test_the_loans_page_links_to_the_person_only_while_in_force(
    clerk_client, township_clerk, other_township_clerk, outsider
):
    loans.do_request_loan(township_clerk, person_numbers(outsider), "转诊随访核对", 3)
    pending = clerk_client.get("/accounts/loans/").content.decode()
    assert "赵六" not in pending and "待审批" in pending
    RecordLoan.objects.all().delete()
    approve(township_clerk, other_township_clerk, outsider)
    assert "赵六" in clerk_client.get("/accounts/loans/").content.decode()


def test_one_request_asks_for_its_loans_once(
    clerk_client, township_clerk, other_township_clerk, outsider
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    approve(township_clerk, other_township_clerk, outsider)
    with CaptureQueriesContext(connection) as ctx:
        assert clerk_client.get(f"/registry/people/{outsider.pk}/").status_code == 200
    loan_queries = [q for q in ctx.captured_queries if "accounts_recordloan" in q["sql"]]
    assert len(loan_queries) == 1
