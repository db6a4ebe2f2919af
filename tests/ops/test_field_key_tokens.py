"""Encrypted values name the key that wrote them, are authenticated, and a rotation is
itself recorded in the audit log, also when it stops."""

import base64

import pytest
from cryptography.exceptions import InvalidTag
from django.core.management import CommandError, call_command
from django.test import override_settings

from huimin.audit.models import AuditEvent
from huimin.core import crypto
from tests import factories
from tests.ops.keys import KEY_A, KEY_B, KEY_C, legacy_token

NUMBER = "11010519491231002X"


def test_a_token_names_its_key_by_a_fingerprint_not_the_key():
    with override_settings(HUIMIN_FIELD_KEY=KEY_A):
        token = crypto.encrypt(NUMBER, context="person.id_number")
    version, kid, _ = token.split(":")
    assert (version, kid) == ("v2", crypto.key_id(KEY_A))
    assert len(kid) == 8 and kid != crypto.key_id(KEY_B)
    assert base64.b64encode(KEY_A).decode() not in token and NUMBER not in token


def test_a_tampered_token_is_refused():
    token = crypto.encrypt(NUMBER, context="person.id_number")
    version, kid, body = token.split(":")
    raw = bytearray(base64.b64decode(body))
    raw[15] ^= 0x01
    forged = f"{version}:{kid}:" + base64.b64encode(bytes(raw)).decode()
    with pytest.raises(InvalidTag):
        crypto.decrypt(forged, context="person.id_number")


def test_legacy_tokens_under_the_current_key_are_still_read():
    with override_settings(HUIMIN_FIELD_KEY=KEY_A, HUIMIN_FIELD_KEY_PREVIOUS=[]):
        assert (
            crypto.decrypt(
                legacy_token(NUMBER, KEY_A, "person.id_number"), context="person.id_number"
            )
            == NUMBER
        )
        with pytest.raises(InvalidTag):
            crypto.decrypt(
                legacy_token(NUMBER, KEY_B, "person.id_number"), context="person.id_number"
            )


def test_blind_indexes_during_rotation_cover_both_keys():
    with override_settings(HUIMIN_FIELD_KEY=KEY_A):
        under_a = crypto.blind_index(NUMBER, context="person.id_number")
    with override_settings(HUIMIN_FIELD_KEY=KEY_B, HUIMIN_FIELD_KEY_PREVIOUS=[KEY_A]):
        under_b = crypto.blind_index(NUMBER, context="person.id_number")
        assert crypto.blind_indexes(NUMBER, context="person.id_number") == [under_b, under_a]


@pytest.mark.django_db
def test_rotations_are_audited_whether_they_finish_or_stop(county):
    with override_settings(HUIMIN_FIELD_KEY=KEY_A):
        factories.make_person("甲")
    with override_settings(HUIMIN_FIELD_KEY=KEY_B, HUIMIN_FIELD_KEY_PREVIOUS=[KEY_A]):
        call_command("rotate_field_key", no_progress=True)
    with override_settings(HUIMIN_FIELD_KEY=KEY_C, HUIMIN_FIELD_KEY_PREVIOUS=[]):
        with pytest.raises(CommandError):
            call_command("rotate_field_key", no_progress=True)
    events = list(AuditEvent.objects.filter(object_type="core.field_key").order_by("seq"))
    assert [(e.action, e.object_id, e.outcome) for e in events] == [
        ("config", crypto.key_id(KEY_B), "success"),
        ("config", crypto.key_id(KEY_C), "failed"),
    ]
    assert events[0].changes == {"rows_reencrypted": [0, 1]}
