"""ID and phone numbers are masked in log text; a URL guard's test is stricter (check
character, real date) so a credit code or an institution code is not refused."""

import datetime

from huimin.core import idnumber
from huimin.core.redact import has_personal_number, mask_personal_numbers

NUMBER = idnumber.make("430521", datetime.date(1988, 2, 14), 123, "1")
FULLWIDTH = NUMBER.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))


def test_an_id_number_in_a_path_is_masked():
    line = f'GET /api/v1/insurance/persons/{NUMBER} HTTP/1.1" 401'
    masked = mask_personal_numbers(line)
    assert NUMBER not in masked
    assert f"/persons/{NUMBER[:6]}********{NUMBER[14:]} HTTP" in masked


def test_full_width_and_percent_encoded_full_width_digits_are_masked():
    encoded = "".join(f"%EF%BC%{0x90 + int(c):02X}" if c.isdigit() else c for c in NUMBER)
    for text in (FULLWIDTH, f"q={encoded}"):
        masked = mask_personal_numbers(text)
        assert NUMBER not in masked and "********" in masked


def test_fifteen_digit_legacy_numbers_and_mobiles_are_masked():
    legacy = NUMBER[:6] + NUMBER[8:17]
    assert mask_personal_numbers(f"x {legacy} y") == f"x {legacy[:6]}******{legacy[12:]} y"
    assert mask_personal_numbers("电话13812345678。") == "电话138****5678。"
    assert mask_personal_numbers("tel:+86 13812345678") == "tel:138****5678"


def test_codes_that_are_not_personal_are_left_alone():
    for text in ("/records/quality/430521101201/", "户 4305211012010007", "H13052100001"):
        assert mask_personal_numbers(text) == text


def test_the_url_check_needs_a_real_number():
    assert has_personal_number(NUMBER) and has_personal_number(NUMBER.lower())
    assert has_personal_number(FULLWIDTH)
    assert has_personal_number("13812345678")
    wrong_check = NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1")
    assert not has_personal_number(wrong_check)
    # An 18-digit unified social credit code with no valid date inside is not a person.
    assert not has_personal_number("914305217654321098")
    assert not has_personal_number("after=430521101201,17")
