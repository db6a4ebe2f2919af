"""A resident's social-security card number: validated, unique, kept encrypted with a
blind index, shown masked, and set or cleared through the registry."""

import pytest

from huimin.core import idnumber
from huimin.core.errors import ValidationFailed
from huimin.registry import services
from huimin.registry.models import Person
from tests import factories


def test_card_numbers_are_nine_letters_and_digits():
    assert idnumber.parse_ss_card(" a1234567 8") == "A12345678"
    for bad, code in (("A1234567", "ss_card_length"), ("ABCDEFGHI", "ss_card_format")):
        with pytest.raises(idnumber.IDNumberError) as exc:
            idnumber.parse_ss_card(bad)
        assert exc.value.code == code
    assert idnumber.mask_ss_card("A12345678") == "A12****78"


def data(number, village, **over):
    values = dict(name="赵社保", id_number=number, village_code=village)
    values.update(over)
    return services.PersonData(**values)


def test_a_card_is_stored_encrypted_and_masked_and_can_be_cleared(county):
    officer = factories.make_staff("reg_officer", "insurance_officer", factories.COUNTY)
    village = factories.VILLAGES[0]
    person = services.do_create_person(
        officer, data(factories.valid_id(), village, ss_card="a12345678")
    )
    row = Person.objects.get(pk=person.pk)
    assert row.ss_card_masked == "A12****78"
    assert "A12345678" not in row.ss_card_enc and row.ss_card_index
    # An update that does not mention the card leaves it; an empty one clears it.
    number = row.reveal_id_number()
    services.do_update_person(officer, person.pk, data(number, village, phone="13812345678"))
    assert Person.objects.get(pk=person.pk).ss_card_masked == "A12****78"
    services.do_update_person(officer, person.pk, data(number, village, ss_card=""))
    row = Person.objects.get(pk=person.pk)
    assert (row.ss_card_enc, row.ss_card_index, row.ss_card_masked) == ("", "", "")


def test_a_card_belongs_to_one_person_and_a_bad_one_is_named(county):
    officer = factories.make_staff("reg_officer", "insurance_officer", factories.COUNTY)
    village = factories.VILLAGES[0]
    services.do_create_person(officer, data(factories.valid_id(), village, ss_card="A12345678"))
    before = Person.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.do_create_person(officer, data(factories.valid_id(), village, ss_card="A12345678"))
    assert exc.value.fields == {"ss_card": "该社会保障卡卡号已登记给他人"}
    with pytest.raises(ValidationFailed) as exc:
        services.do_create_person(officer, data(factories.valid_id(), village, ss_card="12"))
    assert exc.value.fields == {"ss_card": "社会保障卡卡号应为9位"}
    assert Person.objects.count() == before
