import datetime

import pytest

from huimin.core import idnumber

TODAY = datetime.date(2026, 11, 24)


def test_valid_number_gives_birth_date_and_sex():
    # 11010519491231002X: the standard's own example, a woman born 1949-12-31.
    parsed = idnumber.parse("11010519491231002X", today=TODAY)
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.sex == "2"
    assert parsed.address_code == "110105"


def test_lowercase_x_is_the_same_as_uppercase():
    assert idnumber.parse("11010519491231002x", today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "id_number_checksum"),
        ("11010519491231002", "id_number_length"),
        ("1101051949123100AX", "id_number_format"),
        ("990105194912310029", "id_number_address"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(number, code):
    with pytest.raises(idnumber.IDNumberError) as exc:
        idnumber.parse(number, today=TODAY)
    assert exc.value.code == code


def test_birth_date_in_the_future_is_refused():
    number = idnumber.make("430522", datetime.date(2027, 1, 1), 11, "1")
    with pytest.raises(idnumber.IDNumberError) as exc:
        idnumber.parse(number, today=TODAY)
    assert exc.value.code == "id_number_birth_future"


def test_impossible_birth_date_is_refused():
    body = "43052219800231001"
    from stdnum.cn import ric

    with pytest.raises(idnumber.IDNumberError) as exc:
        idnumber.parse(body + ric.calc_check_digit(body + "0"), today=TODAY)
    assert exc.value.code == "id_number_birth_date"


def test_address_code_created_after_birth_stays_valid():
    # 430582 邵东市 exists only since 2019; a number issued there to someone born in 1960
    # is valid (the number keeps the code in force when issued).
    number = idnumber.make("430582", datetime.date(1960, 3, 1), 21, "1")
    assert idnumber.parse(number, today=TODAY).address_code == "430582"


def test_abolished_address_code_stays_valid():
    number = idnumber.make("430521", datetime.date(1990, 3, 1), 22, "2")
    assert idnumber.parse(number, today=TODAY).sex == "2"


def test_mask_shows_address_code_and_last_four():
    assert idnumber.mask("430521198005170013") == "430521********0013"


def test_make_honours_sex_parity():
    for sex in ("1", "2"):
        for seq in (0, 1, 998, 999):
            n = idnumber.make("430522", datetime.date(2000, 1, 1), seq, sex)
            assert idnumber.parse(n, today=TODAY).sex == sex
