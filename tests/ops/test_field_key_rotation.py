"""Rotating the field key: every encrypted column moves from key A to key B, blind
indexes are recomputed, and afterwards key B alone reads and finds everyone."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from huimin.core import crypto
from huimin.registry.models import Person, id_number_lookup
from huimin.registry.services import phone_columns
from tests import factories
from tests.ops.keys import KEY_A, KEY_B, legacy_token

pytestmark = pytest.mark.django_db

UNDER_A = override_settings(HUIMIN_FIELD_KEY=KEY_A, HUIMIN_FIELD_KEY_PREVIOUS=[])
ROTATING = override_settings(HUIMIN_FIELD_KEY=KEY_B, HUIMIN_FIELD_KEY_PREVIOUS=[KEY_A])
ONLY_B = override_settings(HUIMIN_FIELD_KEY=KEY_B, HUIMIN_FIELD_KEY_PREVIOUS=[])


def rotate(**options) -> str:
    out = io.StringIO()
    call_command("rotate_field_key", stdout=out, no_progress=True, **options)
    return out.getvalue()


@pytest.fixture
def people_under_a(county):
    """Five people under key A (two with phones), and one written in the v1 format."""
    people = {}
    with UNDER_A:
        for i in range(5):
            number = factories.valid_id()
            extra = phone_columns(f"1380000000{i}") if i % 2 == 0 else {}
            people[number] = factories.make_person(f"张{i}", id_number=number, **extra)
        number = factories.valid_id()
        legacy = factories.make_person("李旧", id_number=number)
        Person.objects.filter(pk=legacy.pk).update(
            id_number_enc=legacy_token(number, KEY_A, "person.id_number"),
            phone_enc=legacy_token("13900000000", KEY_A, "person.phone"),
        )
        people[number] = legacy
    return people


def test_after_rotation_key_b_alone_decrypts_and_finds_everyone(people_under_a):
    with ROTATING:
        out = rotate(batch=2)
    assert "已重新加密 6 行" in out
    with ONLY_B:
        b_id = crypto.current_key_id()
        for number, person in people_under_a.items():
            row = Person.objects.get(pk=person.pk)
            assert row.id_number_enc.startswith(f"v2:{b_id}:")
            assert row.reveal_id_number() == number
            assert Person.objects.get(id_number_index=id_number_lookup(number)).pk == person.pk
        phones = {
            p.name: crypto.decrypt(p.phone_enc, context="person.phone")
            for p in Person.objects.exclude(phone_enc="")
        }
        assert phones == {
            "张0": "13800000000",
            "张2": "13800000002",
            "张4": "13800000004",
            "李旧": "13900000000",
        }
        # Key A is gone: nothing is left that only A could open.
        assert not Person.objects.exclude(id_number_enc__startswith=f"v2:{b_id}:").exists()


def test_key_a_no_longer_opens_or_finds_rotated_rows(people_under_a):
    with ROTATING:
        rotate()
    number, person = next(iter(people_under_a.items()))
    row = Person.objects.get(pk=person.pk)
    with UNDER_A:
        with pytest.raises(crypto.UnknownFieldKey):
            crypto.decrypt(row.id_number_enc, context="person.id_number")
        assert not Person.objects.filter(id_number_index=id_number_lookup(number)).exists()


def test_rerunning_skips_rows_already_under_the_current_key(people_under_a):
    with ROTATING:
        rotate()
        before = dict(Person.objects.values_list("pk", "id_number_enc"))
        out = rotate()
        assert "全部已使用当前密钥" in out
        assert dict(Person.objects.values_list("pk", "id_number_enc")) == before


def test_an_interrupted_rotation_resumes_and_lookups_work_for_rotated_rows(people_under_a):
    from huimin.ops.rotation import ENCRYPTED_MODELS, pending, rotate_batch

    numbers = list(people_under_a)
    first = min(p.pk for p in people_under_a.values())
    with ROTATING:
        spec = ENCRYPTED_MODELS[0]
        assert rotate_batch(spec, first, first + 2) == 2  # then the process "dies"
        assert pending(spec) == 4
        # The server runs with key B: the two rotated people are found by their index.
        for number in numbers[:2]:
            assert Person.objects.filter(id_number_index=id_number_lookup(number)).exists()
        # Unrotated rows still decrypt through the previous key meanwhile.
        assert Person.objects.get(pk=first + 3).reveal_id_number() == numbers[3]
        out = rotate()
        assert "已重新加密 4 行" in out
        assert pending(spec) == 0


def test_people_written_under_key_b_during_rotation_are_left_alone(people_under_a):
    with ROTATING:
        newcomer = factories.make_person("王新")
        token = Person.objects.get(pk=newcomer.pk).id_number_enc
        rotate()
        assert Person.objects.get(pk=newcomer.pk).id_number_enc == token


def test_social_security_cards_move_to_the_new_key_and_are_still_found(county):
    from huimin.registry.models import person_ss_card_fields, ss_card_lookups

    with UNDER_A:
        holder = factories.make_person("王卡", **person_ss_card_fields("A12345678"))
    with ROTATING:
        rotate()
    with ONLY_B:
        row = Person.objects.get(pk=holder.pk)
        assert row.ss_card_enc.startswith(f"v2:{crypto.current_key_id()}:")
        assert crypto.decrypt(row.ss_card_enc, context="person.ss_card") == "A12345678"
        found = Person.objects.filter(ss_card_index__in=ss_card_lookups("a12345678"))
        assert list(found) == [row]
