"""A 15-digit number (before 1999) is read as its 18-digit upgrade for searches only."""

import datetime

import pytest

from huimin.core import idnumber

TODAY = datetime.date(2026, 11, 24)


def test_upgrade_inserts_19_and_computes_the_check_character():
    # 110105491231002 → 11010519491231002X, the standard's example.
    assert idnumber.upgrade_legacy("110105491231002") == "11010519491231002X"
    assert idnumber.upgrade_legacy("１１０１０５４９１２３１００２") == "11010519491231002X"


@pytest.mark.parametrize("raw", ["11010519491231002X", "1101054912310", "11010549123100²"])
def test_not_fifteen_ascii_digits_is_no_legacy_number(raw):
    assert idnumber.upgrade_legacy(raw) is None


def test_search_number_reads_a_legacy_number_and_parse_does_not():
    assert idnumber.search_number("110105491231002", today=TODAY).number == "11010519491231002X"
    with pytest.raises(idnumber.IDNumberError) as exc:
        idnumber.parse("110105491231002", today=TODAY)
    assert exc.value.code == "id_number_length"


def test_a_legacy_number_with_an_impossible_birth_date_is_refused():
    with pytest.raises(idnumber.IDNumberError) as exc:
        idnumber.search_number("110105491331002", today=TODAY)
    assert exc.value.code == "id_number_birth_date"
    assert "15位" in exc.value.message
