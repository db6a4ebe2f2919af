"""A receipt names each line of the engine's result (which keeps only codes and amounts)
from the visit's fee rows, also after lines were cancelled and re-entered."""

from decimal import Decimal

from huimin.insurance.models import FeeDetail
from huimin.insurance.receipt import breakdown, match_lines, price_text, quantity_text


def fee(line_no, code, quantity, price, cancelled=False, name=None):
    return FeeDetail(
        line_no=line_no,
        code=code,
        name=name or f"项目{code}",
        item_class="A",
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        cancelled=cancelled,
    )


def result_line(code, amount):
    return {"code": code, "amount": amount, "self_pay": "0", "b_self_pay": "0", "eligible": amount}


def test_lines_pair_by_code_and_amount_after_a_reentry():
    # Settled with 2 × 5.00 of X; reversed; the line cancelled and re-entered as 3 × 5.00.
    fees = [
        fee(1, "X", "2", "5.00", cancelled=True),
        fee(2, "Y", "1", "8.00"),
        fee(3, "X", "3", "5.00"),
    ]
    old = match_lines([result_line("X", "10.00"), result_line("Y", "8.00")], fees)
    new = match_lines([result_line("Y", "8.00"), result_line("X", "15.00")], fees)
    assert [f.line_no for f in old] == [1, 2]
    assert [f.line_no for f in new] == [2, 3]


def test_the_same_code_twice_uses_each_row_once():
    fees = [fee(1, "X", "1", "5.00"), fee(2, "X", "1", "5.00")]
    paired = match_lines([result_line("X", "5.00"), result_line("X", "5.00")], fees)
    assert [f.line_no for f in paired] == [1, 2]


def test_a_line_without_a_row_still_shows_its_amounts():
    money = breakdown({"lines": [result_line("Z", "3.00")], "total": "3.00"}, [], "inpatient")
    assert money.lines[0].name == "" and money.lines[0].amount == Decimal("3.00")
    assert money.lines[0].class_label == "—"


def test_quantities_and_prices_read_as_typed():
    assert quantity_text(Decimal("28.0000")) == "28"
    assert quantity_text(Decimal("10.0000")) == "10"
    assert quantity_text(Decimal("0.5000")) == "0.5"
    assert price_text(Decimal("1.5000")) == "1.50"
    assert price_text(Decimal("0.0350")) == "0.035"


def test_a_settlement_that_kept_its_rows_is_paired_exactly():
    # Two rows of X at the same amount: only the stored ids tell which one was settled.
    fees = [fee(1, "X", "1", "5.00", cancelled=True, name="旧X"), fee(2, "X", "1", "5.00")]
    fees[0].pk, fees[1].pk = 11, 12
    # Settled on row 11, since cancelled: a guess takes the live row, the ids do not.
    assert match_lines([result_line("X", "5.00")], fees)[0].line_no == 2
    assert match_lines([result_line("X", "5.00")], fees, [11])[0].name == "旧X"
