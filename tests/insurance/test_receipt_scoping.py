"""Who may read a receipt: the settling institution's staff, and insurance officers whose
jurisdiction holds the person. Anyone else gets 404 (page and PDF), and the refusal is
recorded."""

import pytest

from huimin.audit.models import AuditEvent
from tests import factories
from tests.insurance.test_cashier_counter_flow import counter_client, settled


@pytest.fixture
def settlement(client, insured):
    counter_client(client, insured.hospital)
    s = settled(client, insured)
    client.logout()
    return s


def urls(s):
    return [f"/insurance/settlements/{s.pk}/receipt/", f"/insurance/settlements/{s.pk}/receipt.pdf"]


def test_another_institutions_cashier_gets_404_and_the_refusal_is_recorded(
    client, insured, settlement
):
    counter_client(client, insured.centre, username="centre_cashier")
    for url in urls(settlement):
        assert client.get(url).status_code == 404
    denied = AuditEvent.objects.filter(
        object_type="insurance.settlement", object_id=str(settlement.pk), outcome="denied"
    )
    assert denied.count() == 2
    assert set(denied.values_list("actor_username", flat=True)) == {"centre_cashier"}
    # Nothing about the person was read.
    assert not AuditEvent.objects.filter(
        action="read", object_type="registry.person", actor_username="centre_cashier"
    ).exists()


def test_a_doctor_of_the_settling_institution_reads_it(client, insured, settlement):
    counter_client(client, insured.hospital, username="dr_li", role="doctor")
    for url in urls(settlement):
        assert client.get(url).status_code == 200


def test_an_officer_of_the_persons_county_reads_it(client, insured, settlement):
    client.force_login(insured.officer)
    for url in urls(settlement):
        assert client.get(url).status_code == 200


def test_the_next_countys_officer_gets_404(client, settlement):
    client.force_login(factories.make_staff("u_officer", "insurance_officer", "430523"))
    for url in urls(settlement):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "role, jurisdiction",
    [
        ("township_clerk", "430522100"),  # no settlement reading at the township
        ("assessor", "430522"),
        ("audit_admin", "430522"),
    ],
)
def test_roles_that_read_no_settlements_are_refused_whatever_the_id(
    client, settlement, role, jurisdiction
):
    # 403 for any id, existing or not: the refusal says nothing about the settlement.
    client.force_login(factories.make_staff(f"u_{role}", role, jurisdiction))
    for url in [*urls(settlement), "/insurance/settlements/999999/receipt/"]:
        assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, settlement):
    for url in urls(settlement):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_unknown_settlement_is_404_and_records_nothing(client, insured, settlement):
    counter_client(client, insured.hospital, username="cashier2")
    before = AuditEvent.objects.count()
    assert client.get("/insurance/settlements/999999/receipt/").status_code == 404
    assert client.get("/insurance/settlements/99999999999999999999/receipt/").status_code == 404
    assert AuditEvent.objects.count() == before
