"""`huimin settle` refuses odd shapes and huge numbers naming the field, never with a
traceback (DESIGN.md §5); its limits are the HTTP API's."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from huimin.insurance import settle_cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BASE = json.loads((EXAMPLES / "claim-example.json").read_text())


def settle(tmp_path, capsys, claim, ytd=None):
    (tmp_path / "claim.json").write_text(json.dumps(claim))
    args = ["--plan", str(EXAMPLES / "plan-example.yaml"), "--claim", str(tmp_path / "claim.json")]
    if ytd is not None:
        (tmp_path / "ytd.json").write_text(json.dumps(ytd))
        args += ["--ytd", str(tmp_path / "ytd.json")]
    code = settle_cli.main(args)
    return code, capsys.readouterr()


def line0(**changes):
    return {**BASE, "lines": [{**BASE["lines"][0], **changes}, *BASE["lines"][1:]]}


@pytest.mark.parametrize(
    "claim, field",
    [
        ({**BASE, "visit_type": ["inpatient"]}, "visit_type"),
        ({**BASE, "visit_type": {}}, "visit_type"),
        ({**BASE, "institution_level": ["1"]}, "institution_level"),
        (line0(quantity="1e30"), "lines[0].quantity"),
        (line0(unit_price="1e400000"), "lines[0].unit_price"),
        (line0(quantity="100000000"), "lines[0].quantity"),
        (line0(unit_price="10000000000"), "lines[0].unit_price"),
        (line0(ceiling="10000000000"), "lines[0].ceiling"),
    ],
)
def test_odd_claims_exit_non_zero_naming_the_field(tmp_path, capsys, claim, field):
    code, out = settle(tmp_path, capsys, claim)
    assert code == 1 and out.out == ""
    assert f"\n{field}: " in out.err
    assert "Traceback" not in out.err


def test_a_huge_json_number_is_refused_too(tmp_path, capsys):
    # A bare JSON number is read as a Decimal, so it skips the string checks.
    text = json.dumps(line0(quantity="QTY")).replace('"QTY"', "1e30")
    (tmp_path / "claim.json").write_text(text)
    code = settle_cli.main(
        ["--plan", str(EXAMPLES / "plan-example.yaml"), "--claim", str(tmp_path / "claim.json")]
    )
    assert code == 1
    assert "lines[0].quantity: 数值过大" in capsys.readouterr().err


def test_a_huge_year_to_date_is_refused(tmp_path, capsys):
    code, out = settle(tmp_path, capsys, BASE, ytd={"ci_base": "1" + "0" * 40})
    assert code == 1 and "ytd.ci_base: 数值过大" in out.err


def test_the_largest_values_the_api_takes_still_settle(tmp_path, capsys):
    claim = line0(quantity="99999999.9999", unit_price="9999999999.9999", ceiling=None)
    code, out = settle(tmp_path, capsys, claim)
    assert code == 0, out.err
    assert Decimal(json.loads(out.out)["total"]) > Decimal("1e17")


def test_a_price_finer_than_the_fen_is_settled_by_the_rounding_rule(tmp_path, capsys):
    # §5: amount = r2(quantity × unit_price); 100 × 0.12345 = 12.345 → 12.35 (half up).
    # The API takes four decimals, but the engine's contract does not limit them.
    claim = line0(quantity="100", unit_price="0.12345", ceiling=None)
    code, out = settle(tmp_path, capsys, claim)
    assert code == 0, out.err
    assert json.loads(out.out)["lines"][0]["amount"] == "12.35"
