"""Money: Decimal yuan with two places, rounded half up. Never float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def r2(value: Decimal) -> Decimal:
    """Round to the fen, half up."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def parse_decimal(raw, field: str, *, allow_negative: bool = False) -> Decimal:
    """Read a decimal from a string or int (never a float) or raise ValueError naming why."""
    if isinstance(raw, float) or isinstance(raw, bool):
        raise ValueError(f"{field}: 金额须以字符串表示，不接受浮点数")
    if isinstance(raw, Decimal):
        value = raw
    else:
        try:
            value = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            raise ValueError(f"{field}: 不是有效的数值 {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"{field}: 不是有效的数值 {raw!r}")
    if value < 0 and not allow_negative:
        raise ValueError(f"{field}: 不能为负数")
    return value


def parse_amount(raw, field: str, *, allow_negative: bool = False) -> Decimal:
    """An amount in yuan: at most two decimal places."""
    value = parse_decimal(raw, field, allow_negative=allow_negative)
    if value != value.quantize(FEN):
        raise ValueError(f"{field}: 金额最多两位小数")
    return value.quantize(FEN)


def fmt(value: Decimal) -> str:
    """The contract's string form: two decimals."""
    return str(r2(value))
