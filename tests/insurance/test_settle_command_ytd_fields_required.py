"""`huimin settle --ytd` refuses a year-to-date file missing a top-level accumulator
(it was read as zero: a year's deductible or cap silently forgotten), while a visit
type absent from a per-type map counts as zero, as in the shared example."""

import json

import pytest

from tests.insurance.settle_cli_support import EXAMPLES, YTD, settle


@pytest.mark.parametrize(
    "field",
    [
        "basic_paid",
        "basic_paid_by_type",
        "deductible_paid_by_type",
        "ci_base",
        "ci_paid",
        "assistance_paid",
    ],
)
def test_a_missing_accumulator_is_refused_naming_it(tmp_path, capsys, field):
    ytd = {k: v for k, v in YTD.items() if k != field}
    code, out, err = settle(tmp_path, capsys, ytd=ytd)
    assert code == 1 and out == ""
    assert f"\nytd.{field}: 缺少此项" in err


def test_every_missing_accumulator_is_named_at_once(tmp_path, capsys):
    code, _out, err = settle(tmp_path, capsys, ytd={"basic_paid": "0.00"})
    assert code == 1
    assert err.count("缺少此项") == 5


def test_an_absent_visit_type_in_a_map_counts_as_zero(tmp_path, capsys):
    # The example's deductible map is empty and its basic map lacks outpatient_chronic.
    code, out, err = settle(tmp_path, capsys, ytd=YTD)
    assert code == 0, err
    expected = json.loads((EXAMPLES / "settlement-example.json").read_text(encoding="utf-8"))
    assert json.loads(out) == expected


def test_an_unknown_visit_type_in_a_map_is_refused(tmp_path, capsys):
    ytd = {**YTD, "basic_paid_by_type": {"inpatient": "3000.00", "dental": "1.00"}}
    code, _out, err = settle(tmp_path, capsys, ytd=ytd)
    assert code == 1 and "\nytd.basic_paid_by_type.dental: 就诊类型不在方案中" in err


def test_without_a_ytd_file_the_year_starts_at_zero(tmp_path, capsys):
    code, _out, err = settle(tmp_path, capsys)
    assert code == 0, err
