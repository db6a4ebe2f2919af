"""A value encrypted under a key the server does not hold is a clear error, never a
silent wrong answer; the rotation stops at it and leaves that batch unchanged."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from huimin.core import crypto
from huimin.ops.rotation import ENCRYPTED_MODELS, pending
from huimin.registry.models import Person
from tests import factories
from tests.ops.keys import KEY_A, KEY_B, KEY_C, legacy_token


def test_decrypting_under_an_unknown_key_names_the_key_and_the_variable():
    with override_settings(HUIMIN_FIELD_KEY=KEY_C):
        token = crypto.encrypt("11010519491231002X", context="person.id_number")
    with override_settings(HUIMIN_FIELD_KEY=KEY_B, HUIMIN_FIELD_KEY_PREVIOUS=[KEY_A]):
        with pytest.raises(crypto.UnknownFieldKey) as err:
            crypto.decrypt(token, context="person.id_number")
    assert crypto.key_id(KEY_C) in str(err.value)
    assert "HUIMIN_FIELD_KEY_PREVIOUS" in str(err.value)


@pytest.mark.django_db
def test_rotation_stops_at_a_row_under_an_unknown_key_and_keeps_that_batch(county):
    with override_settings(HUIMIN_FIELD_KEY=KEY_A):
        first = factories.make_person("甲")
    with override_settings(HUIMIN_FIELD_KEY=KEY_C):
        stranger = factories.make_person("丙")
    with override_settings(HUIMIN_FIELD_KEY=KEY_A):
        last = factories.make_person("乙")
    before = dict(Person.objects.values_list("pk", "id_number_enc"))
    with override_settings(HUIMIN_FIELD_KEY=KEY_B, HUIMIN_FIELD_KEY_PREVIOUS=[KEY_A]):
        with pytest.raises(CommandError) as err:
            call_command("rotate_field_key", batch=1, no_progress=True)
        message = str(err.value)
        assert f"居民 {stranger.pk}" in message and crypto.key_id(KEY_C) in message
        after = dict(Person.objects.values_list("pk", "id_number_enc"))
        # The batch before it was committed; the stranger's and later ones are untouched.
        assert after[first.pk] != before[first.pk]
        assert after[stranger.pk] == before[stranger.pk]
        assert after[last.pk] == before[last.pk]
        assert pending(ENCRYPTED_MODELS[0]) == 2


@pytest.mark.django_db
def test_a_legacy_token_no_held_key_opens_stops_the_rotation(county):
    person = factories.make_person("丁")
    Person.objects.filter(pk=person.pk).update(
        id_number_enc=legacy_token("11010519491231002X", KEY_C, "person.id_number")
    )
    with override_settings(HUIMIN_FIELD_KEY=KEY_B, HUIMIN_FIELD_KEY_PREVIOUS=[KEY_A]):
        with pytest.raises(CommandError, match=rf"居民 {person.pk} .*无法用现有密钥解密"):
            call_command("rotate_field_key", no_progress=True)


def test_previous_keys_decrypt_old_tokens():
    with override_settings(HUIMIN_FIELD_KEY=KEY_A):
        token = crypto.encrypt("x", context="t")
    with override_settings(HUIMIN_FIELD_KEY=KEY_B, HUIMIN_FIELD_KEY_PREVIOUS=(KEY_A, KEY_C)):
        assert crypto.previous_masters() == (KEY_A, KEY_C)
        assert crypto.decrypt(token, context="t") == "x"
