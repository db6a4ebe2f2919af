"""Only public signing keys of the allowed algorithms are registered; anything else is
refused with the reason and nothing is stored."""

import json

import pytest
from joserfc.jwk import ECKey, OctKey, RSAKey

from huimin.access import services
from huimin.access.models import ClientKey
from huimin.core.errors import PermissionDenied, ValidationFailed
from tests.access import helpers


def refused(staff, hospital, text: str, reason_part: str, field="jwks", **kw):
    before = ClientKey.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.do_register_keys(staff["approver"], hospital.credential.pk, text, **kw)
    assert reason_part in caught.value.fields[field], caught.value.fields
    assert ClientKey.objects.count() == before


def test_rsa_and_p384_keys_are_accepted(staff, hospital):
    rsa = RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "alg": "RS384"})
    p384 = ECKey.generate_key("P-384", parameters={"kid": "ec384", "alg": "ES384"})
    keys = services.do_register_keys(
        staff["approver"], hospital.credential.pk, helpers.public_jwks(rsa, p384)
    )
    assert [(k.kid, k.alg) for k in keys] == [("rsa-1", "RS384"), ("ec384", "ES384")]
    stored = ClientKey.objects.get(kid="rsa-1").jwk
    assert set(stored) == {"kty", "n", "e", "kid", "alg", "use"}


def test_private_key_is_refused(staff, hospital):
    key = helpers.new_key("leaky")
    text = json.dumps({"keys": [key.as_dict(private=True)]})
    refused(staff, hospital, text, "私钥")


def test_symmetric_key_is_refused(staff, hospital):
    oct_key = OctKey.generate_key(256, parameters={"kid": "hmac", "alg": "HS256"})
    refused(staff, hospital, json.dumps({"keys": [oct_key.as_dict()]}), "私钥")


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda k: k.pop("kid"), "kid"),
        (lambda k: k.update(alg="none"), "算法"),
        (lambda k: k.update(alg="RS256"), "算法"),
        (lambda k: k.update(alg="ES384"), "P-384"),
        (lambda k: k.update(use="enc"), "用途"),
        (lambda k: k.update(x="AAAA"), "不是有效的公钥"),
    ],
)
def test_malformed_keys_are_refused(staff, hospital, mutate, reason):
    jwk = helpers.new_key("k-1").as_dict(private=False)
    mutate(jwk)
    refused(staff, hospital, json.dumps({"keys": [jwk]}), reason)


@pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning")
def test_short_rsa_key_is_refused(staff, hospital):
    from cryptography.hazmat.primitives.asymmetric import rsa

    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    jwk = RSAKey.import_key(small.public_key()).as_dict(private=False)
    jwk.update(kid="small", alg="RS384")
    refused(staff, hospital, json.dumps({"keys": [jwk]}), "2048")


@pytest.mark.parametrize(
    "text", ["", "not json", "[]", '{"keys": []}', '{"keys": "x"}', '{"keys": [1]}']
)
def test_not_a_jwk_set(staff, hospital, text):
    refused(staff, hospital, text, "")


def test_kid_already_registered(staff, hospital):
    again = helpers.new_key(hospital.kid)
    refused(staff, hospital, helpers.public_jwks(again), "已登记")


def test_window_must_fit_the_credential(staff, hospital):
    far = hospital.credential.expires_at.replace(year=hospital.credential.expires_at.year + 1)
    refused(
        staff,
        hospital,
        helpers.public_jwks(helpers.new_key()),
        "凭证到期",
        "not_after",
        not_after=far,
    )


def test_registering_keys_needs_the_approve_permission(staff, hospital):
    with pytest.raises(PermissionDenied):
        services.do_register_keys(
            staff["reviewer"], hospital.credential.pk, helpers.public_jwks(helpers.new_key())
        )
    assert ClientKey.objects.count() == 1
