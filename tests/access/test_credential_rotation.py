"""Credentials and keys rotate with an overlap: a new credential or key works at once
and the old one keeps working until it expires or is revoked."""

import datetime

import pytest
from django.utils import timezone

from huimin.access import services
from huimin.access.models import AccessEvent, ClientCredential, ClientKey
from huimin.core.errors import Conflict
from tests.access import helpers


def test_rotated_credential_keeps_the_old_one_valid(client, staff, hospital):
    new = services.do_issue_credential(
        staff["approver"], hospital.institution.pk, rotated_from_id=hospital.credential.pk
    )
    key = helpers.new_key()
    services.do_register_keys(staff["approver"], new.pk, helpers.public_jwks(key))
    assert new.rotated_from == hospital.credential
    assert new.client_id != hospital.client_id
    rotated = helpers.Onboarded(**{**hospital.__dict__, "credential": new, "key": key})
    assert (
        helpers.whoami(
            client, helpers.get_token(client, rotated), terminal=hospital.terminal
        ).status_code
        == 200
    )
    assert (
        helpers.whoami(
            client, helpers.get_token(client, hospital), terminal=hospital.terminal
        ).status_code
        == 200
    )
    # Once the old one is revoked, only the new one works.
    services.do_revoke_credential(staff["approver"], hospital.credential.pk, "轮换完成")
    response = helpers.token_request(
        client, helpers.assertion(hospital.key, hospital.client_id), terminal=hospital.terminal
    )
    assert helpers.error_code(response) == "credential_revoked"
    assert AccessEvent.objects.filter(action="issue_credential").count() == 2


def test_expired_credential_is_refused(client, hospital):
    ClientCredential.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = helpers.token_request(
        client, helpers.assertion(hospital.key, hospital.client_id), terminal=hospital.terminal
    )
    assert response.status_code == 401
    assert helpers.error_code(response) == "credential_expired"


def test_credential_lifetime_follows_the_setting(staff, hospital, settings):
    settings.HUIMIN_CREDENTIAL_DAYS = 90
    credential = services.do_issue_credential(staff["approver"], hospital.institution.pk)
    days = (credential.expires_at - credential.created_at).days
    assert days in (89, 90)
    assert (hospital.credential.expires_at - hospital.credential.created_at).days in (364, 365)


def test_two_keys_overlap_during_key_rotation(client, staff, hospital):
    second = helpers.new_key()
    jwks = helpers.public_jwks(second)
    services.do_register_keys(staff["approver"], hospital.credential.pk, jwks)
    for key in (hospital.key, second):
        text = helpers.assertion(key, hospital.client_id)
        assert helpers.token_request(client, text, terminal=hospital.terminal).status_code == 200


def test_a_key_outside_its_window_is_not_used(client, staff, hospital):
    later = helpers.new_key()
    start = timezone.now() + datetime.timedelta(days=2)
    services.do_register_keys(
        staff["approver"], hospital.credential.pk, helpers.public_jwks(later), not_before=start
    )
    response = helpers.token_request(
        client, helpers.assertion(later, hospital.client_id), terminal=hospital.terminal
    )
    assert helpers.error_code(response) == "key_unknown"
    ClientKey.objects.filter(kid=hospital.kid).update(
        not_before=timezone.now() - datetime.timedelta(days=30),
        not_after=timezone.now() - datetime.timedelta(seconds=1),
    )
    response = helpers.token_request(
        client, helpers.assertion(hospital.key, hospital.client_id), terminal=hospital.terminal
    )
    assert helpers.error_code(response) == "key_unknown"


def test_no_credential_for_a_suspended_institution(staff, hospital):
    services.do_change_access(staff["approver"], hospital.institution.pk, "suspend", "核查")
    with pytest.raises(Conflict):
        services.do_issue_credential(staff["approver"], hospital.institution.pk)
    assert ClientCredential.objects.count() == 1
