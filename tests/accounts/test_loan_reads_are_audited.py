"""Reads under a record loan (借阅) name the loan; the approver's queue and the loans page
name the residents they show."""

import pytest

from huimin.accounts import loans
from huimin.audit.models import AuditEvent
from tests import factories
from tests.accounts.test_record_loans_scope import approve, person_numbers
from tests.audit.shown import people_named


@pytest.fixture
def outsider(county):
    person = factories.make_person("赵六", village=factories.VILLAGES[2])
    factories.make_household(person)
    return person


@pytest.fixture
def other_township_clerk(county):
    return factories.make_staff("clerk_b", "township_clerk", factories.TOWNSHIPS[1])


def test_reads_under_a_loan_carry_the_loan(
    verified_client, township_clerk, other_township_clerk, outsider
):
    loan = approve(township_clerk, other_township_clerk, outsider)
    neighbour = factories.make_person("钱七", village=factories.VILLAGES[0])
    household = outsider.memberships.get().household
    verified_client.force_login(township_clerk)
    for url in (
        f"/registry/people/{outsider.pk}/",
        f"/registry/households/{household.pk}/",
        f"/api/v1/registry/people/{outsider.pk}",
    ):
        assert verified_client.get(url).status_code == 200, url
    reads = AuditEvent.objects.filter(action="read", outcome="success").order_by("seq")
    assert [(e.object_type, e.loan_id) for e in reads] == [
        ("registry.person", loan.pk),
        ("registry.household", loan.pk),
        ("registry.person", loan.pk),
    ]
    # A search hit under the loan names it too; a read in one's own township needs none.
    verified_client.get("/registry/people/", {"q": "赵六"})
    hit = AuditEvent.objects.get(action="search")
    assert hit.loan_id == loan.pk and people_named(hit) == {outsider.pk}
    verified_client.get(f"/registry/people/{neighbour.pk}/")
    own = AuditEvent.objects.filter(action="read", object_id=str(neighbour.pk)).get()
    assert own.loan_id is None


def test_the_approvers_queue_names_the_residents_asked_about(
    verified_client, township_clerk, other_township_clerk, outsider
):
    loans.do_request_loan(township_clerk, person_numbers(outsider), "转诊随访核对", 3)
    verified_client.force_login(other_township_clerk)
    page = verified_client.get("/accounts/loans/queue/")
    assert page.status_code == 200 and "赵六" in page.content.decode()
    event = AuditEvent.objects.get(action="search", object_type="accounts.recordloan")
    assert people_named(event) == {outsider.pk}
    assert event.actor_id == other_township_clerk.pk


def test_the_loans_page_names_the_residents_it_shows(
    verified_client, township_clerk, other_township_clerk, outsider
):
    approve(township_clerk, other_township_clerk, outsider)
    verified_client.force_login(township_clerk)
    assert "赵六" in verified_client.get("/accounts/loans/").content.decode()
    event = AuditEvent.objects.get(action="search", object_type="accounts.recordloan")
    assert people_named(event) == {outsider.pk} and event.actor_id == township_clerk.pk
