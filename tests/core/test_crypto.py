"""ID numbers at rest: encrypted, authenticated, found by a keyed blind index."""

import pytest
from cryptography.exceptions import InvalidTag
from django.test import override_settings

from huimin.core import crypto

NUMBER = "11010519491231002X"


def test_round_trip_and_fresh_nonce_each_time():
    a = crypto.encrypt(NUMBER, context="person.id_number")
    b = crypto.encrypt(NUMBER, context="person.id_number")
    assert a != b and NUMBER not in a
    assert crypto.decrypt(a, context="person.id_number") == NUMBER


def test_ciphertext_is_bound_to_its_field():
    token = crypto.encrypt(NUMBER, context="person.id_number")
    with pytest.raises(InvalidTag):
        crypto.decrypt(token, context="person.phone")


def test_tampered_ciphertext_is_refused():
    import base64

    token = crypto.encrypt(NUMBER, context="person.id_number")
    version, kid, body = token.split(":")
    raw = bytearray(base64.b64decode(body))
    raw[15] ^= 0x01  # one bit of the ciphertext
    forged = f"{version}:{kid}:" + base64.b64encode(bytes(raw)).decode()
    with pytest.raises(InvalidTag):
        crypto.decrypt(forged, context="person.id_number")


def test_blind_index_is_stable_and_depends_on_the_key():
    first = crypto.blind_index(NUMBER, context="person.id_number")
    assert first == crypto.blind_index(NUMBER, context="person.id_number")
    assert NUMBER not in first
    with override_settings(HUIMIN_FIELD_KEY=b"z" * 32):
        assert crypto.blind_index(NUMBER, context="person.id_number") != first


def test_sm4_is_available_and_both_ciphers_stay_readable():
    with override_settings(HUIMIN_FIELD_CIPHER="sm4-gcm"):
        sm4 = crypto.encrypt(NUMBER, context="person.id_number")
        assert sm4.startswith("s2:") and NUMBER not in sm4
        assert crypto.decrypt(sm4, context="person.id_number") == NUMBER
        with pytest.raises(InvalidTag):
            crypto.decrypt(sm4, context="person.phone")

    aes = crypto.encrypt(NUMBER, context="person.id_number")
    assert aes.startswith("v2:")
    # A deployment that switches cipher still reads what the other one wrote.
    assert crypto.decrypt(sm4, context="person.id_number") == NUMBER
    with override_settings(HUIMIN_FIELD_CIPHER="sm4-gcm"):
        assert crypto.decrypt(aes, context="person.id_number") == NUMBER
        assert not crypto.is_current(aes)  # rotation rewrites it under SM4
