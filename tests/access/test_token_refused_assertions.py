"""Bad client assertions are refused with a distinct code; no token is issued, no jti is
consumed, and the refusal is in the audit log with its code as the reason."""

import json
import time
import uuid

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from joserfc.util import urlsafe_b64encode

from huimin.access.models import AccessToken, UsedAssertion
from huimin.audit.models import AuditEvent
from huimin.core.models import RateCounter
from tests.access import helpers


def refused(response, status: int, code: str, hospital=None):
    assert response.status_code == status, response.content
    assert helpers.error_code(response) == code
    assert AccessToken.objects.count() == 0
    event = AuditEvent.objects.filter(action="token_refused").latest("seq")
    assert event.outcome == "denied"
    assert event.reason == code
    if hospital is not None:
        assert event.institution_id == hospital.institution.pk
    # Failures are audited once per address per minute; the next refusal starts a new one.
    RateCounter.objects.all().delete()


def unsigned(claims: dict, kid: str) -> str:
    def part(obj):
        return urlsafe_b64encode(json.dumps(obj).encode()).decode()

    return f"{part({'alg': 'none', 'kid': kid, 'typ': 'JWT'})}.{part(claims)}."


def test_expired_assertion(client, hospital):
    now = int(time.time())
    text = helpers.assertion(hospital.key, hospital.client_id, exp=now - 1, iat=now - 120)
    response = helpers.token_request(client, text, terminal=hospital.terminal)
    refused(response, 401, "assertion_expired", hospital)
    assert UsedAssertion.objects.count() == 0


def test_replayed_jti(client, hospital):
    jti = uuid.uuid4().hex
    first = helpers.token_request(
        client,
        helpers.assertion(hospital.key, hospital.client_id, jti=jti),
        terminal=hospital.terminal,
    )
    assert first.status_code == 200
    # A fresh assertion, validly signed, but reusing the jti.
    again = helpers.token_request(
        client,
        helpers.assertion(hospital.key, hospital.client_id, jti=jti),
        terminal=hospital.terminal,
    )
    assert again.status_code == 401
    assert helpers.error_code(again) == "jti_replayed"
    assert AccessToken.objects.count() == 1
    assert UsedAssertion.objects.count() == 1
    assert AuditEvent.objects.filter(action="token_refused", reason="jti_replayed").exists()


def test_the_same_assertion_twice(client, hospital):
    text = helpers.assertion(hospital.key, hospital.client_id)
    assert helpers.token_request(client, text, terminal=hospital.terminal).status_code == 200
    again = helpers.token_request(client, text, terminal=hospital.terminal)
    assert helpers.error_code(again) == "jti_replayed"
    assert AccessToken.objects.count() == 1


@pytest.mark.parametrize(
    "aud",
    [
        "http://127.0.0.1:8000/api/v1/access/token/",
        "http://evil.example/api/v1/access/token",
        "http://127.0.0.1:8000",
        ["http://127.0.0.1:8000/api/v1/access/token", "http://other"],
    ],
)
def test_wrong_aud(client, hospital, aud):
    text = helpers.assertion(hospital.key, hospital.client_id, aud=aud)
    refused(helpers.token_request(client, text, terminal=hospital.terminal), 401, "aud_invalid")


def test_missing_aud(client, hospital):
    text = helpers.assertion(hospital.key, hospital.client_id, aud=None)
    refused(helpers.token_request(client, text, terminal=hospital.terminal), 401, "aud_invalid")


def test_aud_follows_the_configured_public_url(client, hospital, settings):
    settings.HUIMIN_PUBLIC_URL = "https://yb.xinshao.example:8443/"
    old = helpers.assertion(
        hospital.key, hospital.client_id, aud="http://127.0.0.1:8000/api/v1/access/token"
    )
    refused(helpers.token_request(client, old, terminal=hospital.terminal), 401, "aud_invalid")
    ok = helpers.assertion(
        hospital.key, hospital.client_id, aud="https://yb.xinshao.example:8443/api/v1/access/token"
    )
    assert helpers.token_request(client, ok, terminal=hospital.terminal).status_code == 200


def test_unsigned_alg_none(client, hospital):
    now = int(time.time())
    claims = {
        "iss": hospital.client_id,
        "sub": hospital.client_id,
        "aud": "http://127.0.0.1:8000/api/v1/access/token",
        "exp": now + 200,
        "jti": uuid.uuid4().hex,
    }
    text = unsigned(claims, hospital.kid)
    refused(helpers.token_request(client, text, terminal=hospital.terminal), 401, "alg_not_allowed")


def test_hmac_signed_with_the_public_key_is_refused(client, hospital):
    # The classic confusion attack: HS256 keyed with the public key's bytes.
    from joserfc.jwk import OctKey

    secret = OctKey.import_key(json.dumps(hospital.key.as_dict(private=False)).encode())
    now = int(time.time())
    text = jwt.encode(
        {"alg": "HS256", "kid": hospital.kid},
        {
            "iss": hospital.client_id,
            "sub": hospital.client_id,
            "aud": "http://127.0.0.1:8000/api/v1/access/token",
            "exp": now + 200,
            "jti": uuid.uuid4().hex,
        },
        secret,
    )
    refused(helpers.token_request(client, text, terminal=hospital.terminal), 401, "alg_not_allowed")


def test_signed_with_another_key_under_the_registered_kid(client, hospital):
    impostor = ECKey.generate_key("P-256", parameters={"kid": hospital.kid, "alg": "ES256"})
    text = helpers.assertion(impostor, hospital.client_id)
    refused(
        helpers.token_request(client, text, terminal=hospital.terminal),
        401,
        "signature_invalid",
        hospital,
    )
    assert UsedAssertion.objects.count() == 0


def test_signed_with_an_unregistered_kid(client, hospital):
    other = helpers.new_key("not-registered")
    text = helpers.assertion(other, hospital.client_id)
    refused(helpers.token_request(client, text, terminal=hospital.terminal), 401, "key_unknown")


def test_alg_other_than_the_registered_one(client, hospital):
    rsa = RSAKey.generate_key(2048, parameters={"kid": hospital.kid})
    text = helpers.assertion(rsa, hospital.client_id, alg="RS384")
    refused(helpers.token_request(client, text, terminal=hospital.terminal), 401, "alg_not_allowed")


def test_iss_differs_from_sub(client, hospital):
    text = helpers.assertion(hospital.key, hospital.client_id, sub="someone-else")
    refused(
        helpers.token_request(client, text, terminal=hospital.terminal), 401, "iss_sub_mismatch"
    )


def test_unknown_client(client, hospital):
    text = helpers.assertion(hospital.key, "hm-unknown", sub="hm-unknown")
    refused(helpers.token_request(client, text, terminal=hospital.terminal), 401, "client_unknown")


def test_exp_too_far_ahead(client, hospital):
    now = int(time.time())
    text = helpers.assertion(hospital.key, hospital.client_id, exp=now + 301, iat=None)
    refused(helpers.token_request(client, text, terminal=hospital.terminal), 401, "exp_too_far")


def test_exp_too_far_after_iat(client, hospital):
    now = int(time.time())
    text = helpers.assertion(hospital.key, hospital.client_id, exp=now + 200, iat=now - 200)
    refused(helpers.token_request(client, text, terminal=hospital.terminal), 401, "exp_too_far")


def test_missing_exp_or_jti(client, hospital):
    text = helpers.assertion(hospital.key, hospital.client_id, exp=None)
    refused(helpers.token_request(client, text, terminal=hospital.terminal), 401, "exp_missing")
    text = helpers.assertion(hospital.key, hospital.client_id, jti=None)
    refused(helpers.token_request(client, text, terminal=hospital.terminal), 401, "jti_missing")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("grant_type", "password", "unsupported_grant_type"),
        ("client_assertion_type", "urn:other", "invalid_assertion_type"),
        ("client_assertion", "", "assertion_missing"),
        ("client_assertion", "not.a.jwt", "assertion_malformed"),
        ("scope", "settlement admin", "invalid_scope"),
    ],
)
def test_malformed_token_requests(client, hospital, field, value, code):
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": helpers.assertion(hospital.key, hospital.client_id),
        field: value,
    }
    response = client.post(
        "/api/v1/access/token",
        data,
        REMOTE_ADDR=helpers.IP,
        HTTP_X_HUIMIN_TERMINAL=hospital.terminal,
    )
    assert response.status_code in (400, 401)
    assert helpers.error_code(response) == code
    assert AccessToken.objects.count() == 0
    assert UsedAssertion.objects.count() == 0


def test_non_object_json_body_is_a_clean_400(client, hospital):
    response = client.post(
        "/api/v1/access/token", "[1, 2]", content_type="application/json", REMOTE_ADDR=helpers.IP
    )
    assert response.status_code == 400
    assert helpers.error_code(response) == "unsupported_grant_type"
