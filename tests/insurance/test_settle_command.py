"""`huimin settle` from the outside: the contract's output, and bad input naming the field."""

import json
import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HUIMIN = Path(sys.executable).parent / "huimin"


def run(*args, cwd=None):
    # No HUIMIN_* secrets: the pure engine must not need them.
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIMIN_")}
    env["HUIMIN_ENV_FILE"] = os.devnull
    return subprocess.run(
        [str(HUIMIN), "settle", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_worked_example_prints_the_expected_settlement():
    r = run(
        "--plan",
        str(EXAMPLES / "plan-example.yaml"),
        "--claim",
        str(EXAMPLES / "claim-example.json"),
        "--ytd",
        str(EXAMPLES / "ytd-example.json"),
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == json.loads((EXAMPLES / "settlement-example.json").read_text())


def test_without_ytd_the_year_starts_at_zero():
    r = run(
        "--plan",
        str(EXAMPLES / "plan-example.yaml"),
        "--claim",
        str(EXAMPLES / "claim-example.json"),
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # Same claim, empty year: basic fund unchanged (no cap reached), ci_base = oop only.
    assert out["basic_fund"] == "25959.17"
    assert out["ytd_after"]["ci_base"] == "4781.03"
    assert out["ytd_after"]["basic_paid_by_type"] == {"inpatient": "25959.17"}


def test_bad_claims_exit_non_zero_naming_the_field(tmp_path):
    base = json.loads((EXAMPLES / "claim-example.json").read_text())
    cases = {
        "visit_type": {**base, "visit_type": "dental"},
        "lines[0].quantity": {**base, "lines": [{**base["lines"][0], "quantity": "0"}]},
        "lines[1].quantity": {
            **base,
            "lines": [base["lines"][0], {**base["lines"][1], "quantity": "-2"}],
        },
        "lines[0].unit_price": {**base, "lines": [{**base["lines"][0], "unit_price": "12,5"}]},
        "institution_level": {k: v for k, v in base.items() if k != "institution_level"},
    }
    for field, claim in cases.items():
        path = tmp_path / "claim.json"
        path.write_text(json.dumps(claim, ensure_ascii=False))
        r = run("--plan", str(EXAMPLES / "plan-example.yaml"), "--claim", str(path))
        assert r.returncode != 0, field
        assert field in r.stderr, (field, r.stderr)
        assert r.stdout == ""


def test_bad_plan_lists_every_problem(tmp_path):
    text = (EXAMPLES / "plan-example.yaml").read_text(encoding="utf-8")
    text = text.replace('"2": "0.80"', '"2": "1.80"').replace(
        '{upto: "100000.00", ratio: "0.65"}', '{upto: "40000.00", ratio: "0.65"}'
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    r = run("--plan", str(plan), "--claim", str(EXAMPLES / "claim-example.json"))
    assert r.returncode != 0
    assert "basic.visit_types.inpatient.ratio.2" in r.stderr
    assert "critical_illness.segments[1].upto" in r.stderr


def test_missing_file_is_named():
    r = run("--plan", "/nonexistent/plan.yaml", "--claim", str(EXAMPLES / "claim-example.json"))
    assert r.returncode != 0
    assert "--plan" in r.stderr
