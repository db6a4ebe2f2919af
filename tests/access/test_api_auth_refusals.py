"""InstitutionBearer refuses each bad request with its own code, audits the refusal, and
sets nothing on the request; a good one sets the institution, terminal and credential."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from huimin.access import services
from huimin.access.auth import InstitutionBearer
from huimin.access.models import AccessToken, Terminal
from huimin.access.tokens import Refused
from huimin.audit.models import AuditEvent
from tests.access import helpers


def refused(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert helpers.error_code(response) == code
    event = AuditEvent.objects.filter(action="api_refused").latest("seq")
    assert (event.reason, event.outcome) == (code, "denied")
    return event


@pytest.fixture
def token(client, hospital):
    return helpers.get_token(client, hospital)


def test_valid_token_sets_the_request_context(hospital, token):
    request = RequestFactory().get(
        "/api/v1/access/whoami",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_HUIMIN_TERMINAL=hospital.terminal,
        REMOTE_ADDR=helpers.IP,
    )
    granted = InstitutionBearer()(request)
    assert granted.scopes == ["catalog.read", "settlement"]
    assert granted.token_id == AccessToken.objects.get().pk
    assert request.auth_institution == hospital.institution
    assert request.auth_terminal == hospital.terminal
    assert request.auth_credential == hospital.credential
    assert request.auth_credential.client_id == hospital.client_id
    # The columns the check loads each land in their own field (no extra query for them).
    credential, institution = hospital.credential, hospital.institution
    institution.refresh_from_db()
    loaded = request.auth_credential
    assert (loaded.status, loaded.expires_at, loaded.institution_id) == (
        credential.status,
        credential.expires_at,
        institution.pk,
    )
    loaded = request.auth_institution
    for field in ("level", "designation_status", "designated_from", "designated_to"):
        assert getattr(loaded, field) == getattr(institution, field), field
    assert "level" not in loaded.get_deferred_fields()
    # Fields not read by the check load on demand.
    assert request.auth_institution.credit_code == hospital.institution.credit_code


def test_without_a_token(client, hospital):
    response = client.get(
        "/api/v1/access/whoami", HTTP_X_HUIMIN_TERMINAL=hospital.terminal, REMOTE_ADDR=helpers.IP
    )
    refused(response, 401, "token_missing")


def test_with_an_unknown_token(client, hospital):
    refused(helpers.whoami(client, "made-up", terminal=hospital.terminal), 401, "token_invalid")


def test_session_login_is_not_enough(client, staff, hospital):
    helpers.login_verified(client, staff["submitter"])
    response = client.get(
        "/api/v1/access/whoami", HTTP_X_HUIMIN_TERMINAL=hospital.terminal, REMOTE_ADDR=helpers.IP
    )
    refused(response, 401, "token_missing")


def test_expired_token(client, hospital, token):
    AccessToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    refused(helpers.whoami(client, token, terminal=hospital.terminal), 401, "token_expired")


def test_valid_token_from_an_ip_outside_the_ranges(client, hospital, token):
    response = helpers.whoami(client, token, terminal=hospital.terminal, ip=helpers.OUTSIDE_IP)
    event = refused(response, 403, "ip_not_allowed")
    assert event.institution_id == hospital.institution.pk
    assert event.source_ip == helpers.OUTSIDE_IP


def test_without_the_terminal_header(client, hospital, token):
    refused(helpers.whoami(client, token, terminal=""), 403, "terminal_missing")


def test_from_an_unknown_terminal(client, hospital, token):
    refused(helpers.whoami(client, token, terminal="HIS-UNKNOWN"), 403, "terminal_unknown")


def test_from_another_institutions_terminal(client, staff, hospital, token):
    other = helpers.onboard(staff, name="严塘镇中心卫生院")
    refused(
        helpers.whoami(client, token, terminal=other.terminal), 403, "terminal_other_institution"
    )


def test_from_another_terminal_of_the_same_institution(client, hospital, token):
    Terminal.objects.create(institution=hospital.institution, device_id="HIS-SAME-02")
    refused(helpers.whoami(client, token, terminal="HIS-SAME-02"), 403, "terminal_mismatch")


def test_from_a_disabled_terminal(client, hospital, token):
    Terminal.objects.filter(device_id=hospital.terminal).update(status="disabled")
    refused(helpers.whoami(client, token, terminal=hospital.terminal), 403, "terminal_disabled")


def test_after_the_credential_was_revoked(client, staff, hospital, token):
    services.do_revoke_credential(staff["approver"], hospital.credential.pk, "密钥泄露")
    refused(helpers.whoami(client, token, terminal=hospital.terminal), 401, "credential_revoked")


def test_token_without_the_needed_scope(client, hospital):
    narrow = helpers.get_token(client, hospital, scope="catalog.read")
    request = RequestFactory().get(
        "/api/v1/insurance/settle",
        HTTP_AUTHORIZATION=f"Bearer {narrow}",
        HTTP_X_HUIMIN_TERMINAL=hospital.terminal,
        REMOTE_ADDR=helpers.IP,
    )
    with pytest.raises(Refused) as caught:
        InstitutionBearer(scopes=["settlement"])(request)
    assert (caught.value.status, caught.value.code) == (403, "insufficient_scope")
    assert not hasattr(request, "auth_institution")
    event = AuditEvent.objects.filter(action="api_refused").latest("seq")
    assert event.reason == "insufficient_scope"
    assert event.purpose == "GET /api/v1/insurance/settle"
    # The same token passes where its scope suffices.
    assert InstitutionBearer(scopes=["catalog.read"])(request)


def test_unknown_scope_names_are_a_programming_error():
    with pytest.raises(ValueError, match="unknown scopes"):
        InstitutionBearer(scopes=["setlement"])
