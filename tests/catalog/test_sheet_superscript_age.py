"""A catalog sheet's age cell with a superscript (`6²`) is named as a bad cell, not an
error out of int() that stopped the whole import (str.isdigit() takes ² for a digit)."""

from tests.catalog.test_sheet_rows import check, reasons, row


def test_a_superscript_age_is_a_named_problem():
    result = check(row(**{"最小年龄": "6²"}), row(**{"最大年龄": "٦٠"}))
    assert "最小年龄应为0到" in reasons(result, 2)
    assert "最大年龄应为0到" in reasons(result, 3)


def test_a_plain_age_is_read():
    assert reasons(check(row(**{"最小年龄": "6", "最大年龄": "60"})), 2) == ""
