"""record() writes one chained event with who/where taken from the request."""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import RequestFactory

from huimin.audit import chain
from huimin.audit.models import AuditChainHead, AuditEvent
from huimin.audit.services import record
from tests import factories


@pytest.mark.django_db
def test_record_takes_actor_role_institution_terminal_and_ip_from_request(county):
    hospital = factories.make_institution()
    cashier = factories.make_staff("cashier1", "cashier", factories.COUNTY, institution=hospital)
    request = RequestFactory().get("/x", REMOTE_ADDR="10.8.1.23", HTTP_X_HUIMIN_TERMINAL="HIS-01")
    request.user = cashier

    event = record(
        action="read",
        object_type="registry.person",
        object_id=42,
        region_code=factories.VILLAGES[0],
        fields=["name", "id_number_masked"],
        purpose="门诊挂号",
        request=request,
    )

    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id == cashier.pk
    assert event.actor_username == "cashier1"
    assert event.role == "cashier"
    assert event.institution_id == hospital.pk
    assert event.terminal == "HIS-01"
    assert event.source_ip == "10.8.1.23"
    assert event.object_id == "42"
    assert event.fields == ["name", "id_number_masked"]


@pytest.mark.django_db
def test_forwarded_for_header_does_not_override_the_peer_address(officer):
    request = RequestFactory().get("/x", REMOTE_ADDR="10.8.1.23", HTTP_X_FORWARDED_FOR="1.2.3.4")
    request.user = officer
    event = record(action="search", request=request)
    assert event.source_ip == "10.8.1.23"


@pytest.mark.django_db
def test_each_event_chains_from_the_previous_one(officer):
    first = record(action="login", actor=officer)
    second = record(action="read", actor=officer, changes={"ratio": 0.5})

    assert first.seq + 1 == second.seq
    assert second.prev_hash == first.hash
    assert (first.seq, first.prev_hash) == (1, chain.GENESIS)
    stored = AuditEvent.objects.values().get(pk=second.pk)
    # Keyed: an HMAC under HUIMIN_AUDIT_KEY, named by the key's id.
    key = settings.HUIMIN_AUDIT_KEY
    assert stored["key_id"] == chain.key_id(key)
    assert chain.compute_mac(key, stored["prev_hash"], stored) == stored["hash"]
    assert chain.compute_hash(stored["prev_hash"], stored) != stored["hash"]
    # Floats are kept as text so every database reads back the same hash input.
    assert stored["changes"] == {"ratio": "0.5"}
    # A lone writer extends chain 1, and its head follows.
    assert first.chain == second.chain == 1
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (second.seq, second.hash)


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_no_audit_row(officer):
    before = AuditEvent.objects.count()
    head_before = AuditChainHead.objects.values_list("last_seq", "last_hash").first()

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        record(action="update", actor=officer, object_type="registry.person", object_id="1")
        raise Refused

    assert AuditEvent.objects.count() == before
    assert AuditChainHead.objects.values_list("last_seq", "last_hash").first() == head_before


@pytest.mark.django_db
def test_unknown_action_is_refused_and_writes_nothing(officer):
    with pytest.raises(ValueError):
        record(action="teleport", actor=officer)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_overlong_text_is_cut_not_fatal(officer):
    event = record(action="read", actor=officer, object_id="x" * 500, purpose="p" * 900)
    event = AuditEvent.objects.get(pk=event.pk)
    assert len(event.object_id) == 100
    assert len(event.purpose) == 500


@pytest.mark.django_db
def test_a_full_id_number_passed_by_mistake_is_masked(officer):
    number = factories.valid_id()
    event = record(
        action="update",
        actor=officer,
        changes={"id_number": [number, number.lower()]},
        purpose=f"核对 {number}",
    )
    event = AuditEvent.objects.get(pk=event.pk)
    masked = number[:6] + "*" * 8 + number[14:]
    assert event.changes == {"id_number": [masked, masked]}
    assert event.purpose == f"核对 {masked}"
    assert number not in repr(event.changes) + event.purpose


@pytest.mark.django_db
def test_other_long_numbers_are_left_alone(officer):
    number = factories.valid_id()
    # Same shape, wrong check character: not an ID number (e.g. a settlement number).
    other = number[:17] + ("0" if number[17] != "0" else "1")
    event = record(action="update", actor=officer, purpose=f"结算单 {other}")
    assert AuditEvent.objects.get(pk=event.pk).purpose == f"结算单 {other}"
