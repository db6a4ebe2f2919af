"""A correctly signed client assertion from a registered terminal inside the approved
ranges gets a short-lived bearer token, stored only as a hash and audited."""

from huimin.access import rules
from huimin.access.models import AccessToken, UsedAssertion
from huimin.audit.models import AuditEvent
from tests.access import helpers


def test_token_is_issued_for_a_valid_assertion(client, hospital):
    response = helpers.token_request(
        client, helpers.assertion(hospital.key, hospital.client_id), terminal=hospital.terminal
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 300
    assert body["scope"] == "catalog.read settlement"
    stored = AccessToken.objects.get()
    assert stored.token_hash == rules.token_hash(body["access_token"])
    assert body["access_token"] not in stored.token_hash
    assert stored.terminal.device_id == hospital.terminal
    assert stored.source_ip == helpers.IP
    assert (stored.expires_at - stored.issued_at).total_seconds() == 300
    assert UsedAssertion.objects.count() == 1
    event = AuditEvent.objects.get(action="token")
    assert event.institution_id == hospital.institution.pk
    assert event.terminal == hospital.terminal
    assert event.outcome == "success"


def test_token_may_be_narrowed_to_requested_scopes(client, hospital):
    response = helpers.token_request(
        client,
        helpers.assertion(hospital.key, hospital.client_id),
        terminal=hospital.terminal,
        scope="settlement",
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "settlement"
    assert AccessToken.objects.get().scopes == ["settlement"]


def test_token_request_accepts_json(client, hospital):
    response = client.post(
        "/api/v1/access/token",
        {
            "grant_type": "client_credentials",
            "client_assertion_type": rules.JWT_BEARER,
            "client_assertion": helpers.assertion(hospital.key, hospital.client_id),
        },
        content_type="application/json",
        REMOTE_ADDR=helpers.IP,
        HTTP_X_HUIMIN_TERMINAL=hospital.terminal,
    )
    assert response.status_code == 200


def test_token_endpoint_needs_no_csrf_token_or_session(hospital):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = helpers.token_request(
        strict, helpers.assertion(hospital.key, hospital.client_id), terminal=hospital.terminal
    )
    assert response.status_code == 200


def test_whoami_answers_with_the_institution_terminal_and_scopes(client, hospital):
    token = helpers.get_token(client, hospital)
    response = helpers.whoami(client, token, terminal=hospital.terminal)
    assert response.status_code == 200
    assert response.json() == {
        "institution": {
            "id": hospital.institution.pk,
            "name": "新邵县人民医院",
            "insurance_code": hospital.institution.insurance_code,
        },
        "terminal": hospital.terminal,
        "client_id": hospital.client_id,
        "scopes": ["catalog.read", "settlement"],
    }
