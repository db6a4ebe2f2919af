"""Money: Decimal yuan with two places, rounded half up. Never float."""

import re
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def r2(value: Decimal) -> Decimal:
    """Round to the fen, half up."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


# A plain decimal as people and systems write it: no exponent, no NaN or Infinity.
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_EXPONENT = re.compile(_PLAIN.pattern + r"[eE][+-]?\d+")


def parse_decimal(raw, field: str, *, allow_negative: bool = False) -> Decimal:
    """Read a decimal from a string or int (never a float) or raise ValueError naming why.

    The message is "field: reason" in Chinese. Exponent forms (1e3) are refused: on a
    counter form a stray "e" is a typo, not a thousand.
    """
    if isinstance(raw, float) or isinstance(raw, bool):
        raise ValueError(f"{field}: 金额须以字符串表示，不接受浮点数")
    if isinstance(raw, Decimal):
        value = raw
        if not value.is_finite():
            raise ValueError(f"{field}: 不是有效的数值")
    else:
        text = str(raw).strip() if isinstance(raw, str | int) else None
        if text is None:
            raise ValueError(f"{field}: 应为数值")
        if not text:
            raise ValueError(f"{field}: 请填写{field}")
        if not _PLAIN.fullmatch(text):
            if _EXPONENT.fullmatch(text):
                raise ValueError(f"{field}: 请写成普通数字，不接受科学计数法")
            raise ValueError(f"{field}: 不是有效的数值")
        value = Decimal(text)  # the pattern admits only forms Decimal reads
    if value < 0 and not allow_negative:
        raise ValueError(f"{field}: 不能为负数")
    return value


def parse_amount(raw, field: str, *, allow_negative: bool = False) -> Decimal:
    """An amount in yuan: at most two decimal places."""
    value = parse_decimal(raw, field, allow_negative=allow_negative)
    if value != value.quantize(FEN):
        raise ValueError(f"{field}: 金额最多两位小数")
    return value.quantize(FEN)


def plain(value: Decimal) -> str:
    """A quantity as the API reads it: no exponent, no trailing zeros (10, 2.5, 0.125).
    str() of a normalized Decimal would give 1E+1 for ten."""
    return format(value.normalize(), "f")


def fmt(value: Decimal) -> str:
    """The contract's string form: two decimals."""
    return str(r2(value))
