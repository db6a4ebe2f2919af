"""`huimin settle` refuses a JSON number where §5 specifies a string (quantities, prices,
ceilings, ratios, the institution level, year-to-date amounts), naming the field: a
number passes through binary floating point in most producers, a string does not."""

import json

import pytest

from tests.insurance.settle_cli_support import CLAIM, YTD, line0, settle


def with_number(doc: dict, number: str) -> str:
    """The JSON text of `doc` with the string "@@" replaced by a bare number."""
    return json.dumps(doc, ensure_ascii=False).replace('"@@"', number)


@pytest.mark.parametrize(
    "claim, number, field",
    [
        (line0(quantity="@@"), "18", "lines[0].quantity"),
        (line0(unit_price="@@"), "36.40", "lines[0].unit_price"),
        (line0(ceiling="@@"), "40", "lines[0].ceiling"),
        (line0(b_self_ratio="@@"), "0.1", "lines[0].b_self_ratio"),
        ({**CLAIM, "institution_level": "@@"}, "2", "institution_level"),
    ],
)
def test_a_number_in_the_claim_is_refused_naming_the_field(tmp_path, capsys, claim, number, field):
    text = with_number(claim, number)
    code, out, err = settle(tmp_path, capsys, claim_text=text)
    assert code == 1 and out == ""
    assert f"\n{field}: 应为字符串" in err


@pytest.mark.parametrize("field", ["basic_paid", "ci_base", "ci_paid", "assistance_paid"])
def test_a_number_in_the_year_to_date_is_refused(tmp_path, capsys, field):
    text = with_number({**YTD, field: "@@"}, "3200.00")
    code, _out, err = settle(tmp_path, capsys, ytd_text=text)
    assert code == 1 and f"\nytd.{field}: 应为字符串" in err


def test_a_number_in_a_per_type_map_is_refused(tmp_path, capsys):
    ytd = {**YTD, "basic_paid_by_type": {"inpatient": "@@"}}
    code, _out, err = settle(tmp_path, capsys, ytd_text=with_number(ytd, "3000"))
    assert code == 1 and "\nytd.basic_paid_by_type.inpatient: 应为字符串" in err


def test_an_optional_ceiling_may_be_null(tmp_path, capsys):
    code, _out, err = settle(tmp_path, capsys, line0(ceiling=None), YTD)
    assert code == 0, err
