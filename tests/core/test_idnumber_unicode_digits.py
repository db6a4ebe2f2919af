"""One rule for an ID number's characters (DESIGN.md §3): full-width digits and X are
read as ASCII before validation, a lowercase x is X, any other non-ASCII character is
refused with the reason — never taken for a digit by isdigit()/int()."""

import datetime

import pytest

from huimin.core import idnumber

TODAY = datetime.date(2026, 11, 24)
NUMBER = "11010519491231002X"  # the standard's own example


def full_width(number: str) -> str:
    return "".join(chr(ord(c) - ord("0") + 0xFF10) if c.isdigit() else "Ｘ" for c in number)


def test_full_width_digits_and_x_are_the_same_number():
    assert idnumber.parse(full_width(NUMBER), today=TODAY).number == NUMBER
    assert idnumber.parse(NUMBER[:17] + "ｘ", today=TODAY).number == NUMBER
    # Mixed, as an input method switching half-way types it.
    assert idnumber.parse(full_width(NUMBER[:5]) + NUMBER[5:], today=TODAY).number == NUMBER


@pytest.mark.parametrize(
    "number",
    [
        NUMBER[:3] + "²" + NUMBER[4:],  # superscript two: isdigit() says yes, int() fails
        "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in NUMBER),  # Arabic-Indic
        "".join(chr(0x0966 + int(c)) if c.isdigit() else c for c in NUMBER),  # Devanagari
        NUMBER[:17] + "Χ",  # Greek capital chi, not X
        NUMBER[:10] + "①" + NUMBER[11:],
    ],
)
def test_other_non_ascii_characters_are_refused(number):
    with pytest.raises(idnumber.IDNumberError) as exc:
        idnumber.parse(number, today=TODAY)
    assert exc.value.code == "id_number_format"
    assert "全角" in exc.value.message
    assert not idnumber.is_valid(number)


def test_stored_form_is_ascii_whichever_way_it_was_typed():
    # The blind index is computed over normalise(): both spellings give one index input.
    assert idnumber.normalise(full_width(NUMBER)) == NUMBER
    assert idnumber.normalise(" 110105 19491231 002x ") == NUMBER
