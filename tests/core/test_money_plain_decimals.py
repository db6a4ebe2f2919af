"""parse_decimal reads plain decimals only, and says why in Chinese, naming the field."""

from decimal import Decimal

import pytest

from huimin.core.money import parse_decimal


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("", "单价: 请填写单价"),
        ("   ", "单价: 请填写单价"),
        ("abc", "单价: 不是有效的数值"),
        ("1e3", "单价: 请写成普通数字，不接受科学计数法"),
        ("1E+30", "单价: 请写成普通数字，不接受科学计数法"),
        ("1e400000", "单价: 请写成普通数字，不接受科学计数法"),
        ("NaN", "单价: 不是有效的数值"),
        ("sNaN", "单价: 不是有效的数值"),
        ("Infinity", "单价: 不是有效的数值"),
        ("-inf", "单价: 不是有效的数值"),
        (["1"], "单价: 应为数值"),
        (Decimal("NaN"), "单价: 不是有效的数值"),
        ("-1", "单价: 不能为负数"),
    ],
)
def test_refusals_name_the_field_and_never_show_a_repr(raw, reason):
    with pytest.raises(ValueError) as caught:
        parse_decimal(raw, "单价")
    assert str(caught.value) == reason


@pytest.mark.parametrize(
    "raw, value",
    [("12.5", "12.5"), (" 7 ", "7"), (".5", "0.5"), ("5.", "5"), ("１２", "12"), (3, "3")],
)
def test_plain_decimals_are_read(raw, value):
    assert parse_decimal(raw, "单价") == Decimal(value)
