"""The claim checks of a verified client assertion, as a pure function of the claims,
the client, the audience and the time."""

import pytest

from huimin.access.rules import check_assertion_claims, check_token_request, granted_scopes

AUD = "http://127.0.0.1:8000/api/v1/access/token"
NOW = 1_800_000_000


def claims(**overrides):
    base = {"iss": "hm-1", "sub": "hm-1", "aud": AUD, "exp": NOW + 240, "iat": NOW, "jti": "j1"}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def code(**overrides):
    refusal = check_assertion_claims(claims(**overrides), client_id="hm-1", audience=AUD, now=NOW)
    return refusal.code if refusal else None


def test_good_claims_pass():
    assert code() is None
    assert code(aud=[AUD]) is None
    assert code(iat=None) is None
    assert code(exp=NOW + 300) is None


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"sub": "hm-2"}, "iss_sub_mismatch"),
        ({"iss": "hm-2", "sub": "hm-2"}, "iss_sub_mismatch"),
        ({"sub": None}, "iss_sub_mismatch"),
        ({"aud": AUD + "/"}, "aud_invalid"),
        ({"aud": [AUD, "x"]}, "aud_invalid"),
        ({"aud": None}, "aud_invalid"),
        ({"exp": None}, "exp_missing"),
        ({"exp": "soon"}, "exp_missing"),
        ({"exp": True}, "exp_missing"),
        ({"exp": NOW}, "assertion_expired"),
        ({"exp": NOW - 1}, "assertion_expired"),
        ({"exp": NOW + 301, "iat": None}, "exp_too_far"),
        ({"exp": NOW + 200, "iat": NOW - 101}, "exp_too_far"),
        ({"iat": NOW + 61}, "iat_invalid"),
        ({"iat": "x"}, "iat_invalid"),
        ({"nbf": NOW + 120}, "assertion_not_yet_valid"),
        ({"jti": None}, "jti_missing"),
        ({"jti": ""}, "jti_missing"),
        ({"jti": 7}, "jti_missing"),
        ({"jti": "x" * 256}, "jti_missing"),
    ],
)
def test_bad_claims_are_refused(overrides, expected):
    assert code(**overrides) == expected


def test_token_request_fields():
    good = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": "a.b.c",
        "scope": "settlement catalog.read settlement",
    }
    clean, refusal = check_token_request(good)
    assert refusal is None
    assert clean == {"assertion": "a.b.c", "scopes": ["catalog.read", "settlement"]}
    _, refusal = check_token_request({**good, "client_assertion": ["a.b.c"]})
    assert refusal.code == "assertion_missing"
    _, refusal = check_token_request({**good, "client_assertion": "x" * 9000})
    assert refusal.code == "assertion_missing"


def test_granted_scopes():
    assert granted_scopes([], ["settlement", "catalog.read"]) == (
        ["catalog.read", "settlement"],
        None,
    )
    assert granted_scopes(["settlement"], ["settlement"]) == (["settlement"], None)
    assert granted_scopes(["exchange"], ["settlement"])[1].code == "scope_not_granted"
